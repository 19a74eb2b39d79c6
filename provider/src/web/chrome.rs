//! What every page's frame needs: the brand, the signed-in user and the CSRF token (for
//! the sign-out button in the header).

use crate::state::AppState;
use crate::users::User;
use crate::web::csrf::Csrf;

pub struct Chrome {
    pub brand: String,
    pub user: Option<User>,
    pub csrf: String,
}

impl Chrome {
    pub fn new(state: &AppState, csrf: &Csrf, user: Option<User>) -> Self {
        Self {
            brand: state.config.brand.clone(),
            user,
            csrf: csrf.token(),
        }
    }
}
