//! What every page's frame needs: the brand, the signed-in user and the CSRF token (for
//! the sign-out button in the header).

use tower_sessions::Session;

use crate::error::PageError;
use crate::state::AppState;
use crate::users::User;
use crate::web::csrf;

pub struct Chrome {
    pub brand: String,
    pub user: Option<User>,
    pub csrf: String,
}

impl Chrome {
    pub async fn new(
        state: &AppState,
        session: &Session,
        user: Option<User>,
    ) -> Result<Self, PageError> {
        Ok(Self {
            brand: state.config.brand.clone(),
            user,
            csrf: csrf::token(session).await?,
        })
    }
}
