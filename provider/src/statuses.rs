//! Statuses (posts) and the Twitter v1.1 JSON shapes of statuses and users.
//!
//! The home timeline shows everyone's statuses, newest first: this demo has no follow
//! graph, so every user in effect follows every other.

use serde::Serialize;
use sqlx::Row;

use crate::error::{Error, Result};
use crate::plumbing::db::{self, Db};
use crate::users::User;

pub const MAX_CHARS: usize = 280;

/// Twitter's `created_at` format: `Wed Oct 10 20:19:24 +0000 2018`.
pub fn twitter_time(unix: i64) -> String {
    let format = time::macros::format_description!(
        "[weekday repr:short] [month repr:short] [day] [hour]:[minute]:[second] +0000 [year]"
    );
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(format).ok())
        .unwrap_or_default()
}

#[derive(Debug, Serialize)]
pub struct UserJson {
    pub id: i64,
    pub id_str: String,
    pub name: String,
    pub screen_name: String,
    pub created_at: String,
}

impl From<&User> for UserJson {
    fn from(user: &User) -> Self {
        Self {
            id: user.id,
            id_str: user.id.to_string(),
            name: user.name.clone(),
            screen_name: user.screen_name.clone(),
            created_at: twitter_time(user.created_at),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct StatusJson {
    pub id: i64,
    pub id_str: String,
    pub text: String,
    pub created_at: String,
    /// The app that posted it, or "web".
    pub source: String,
    pub user: UserJson,
}

/// Query of a timeline page, as Twitter's `count`, `since_id`, `max_id`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Page {
    pub count: Option<i64>,
    pub since_id: Option<i64>,
    pub max_id: Option<i64>,
}

pub fn check_text(text: &str) -> Result<()> {
    if text.trim().is_empty() {
        return Err(Error::Rejected {
            status: axum::http::StatusCode::FORBIDDEN,
            code: 170,
            message: "Missing required parameter: status.",
        });
    }
    if text.chars().count() > MAX_CHARS {
        return Err(Error::Rejected {
            status: axum::http::StatusCode::FORBIDDEN,
            code: 186,
            message: "Status is over 280 characters.",
        });
    }
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn create(db: &Db, user: &User, text: &str, app_id: Option<i64>) -> Result<StatusJson> {
    check_text(text)?;
    let id = db::new_id();
    let created_at = db::now();
    sqlx::query(
        "insert into statuses (id, user_id, text, source_app_id, created_at) \
         values ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(user.id)
    .bind(text)
    .bind(app_id)
    .bind(created_at)
    .execute(db)
    .await?;
    let source = match app_id {
        Some(app_id) => crate::store::apps::by_id(db, app_id).await?.map(|a| a.name),
        None => None,
    };
    Ok(StatusJson {
        id,
        id_str: id.to_string(),
        text: text.to_owned(),
        created_at: twitter_time(created_at),
        source: source.unwrap_or_else(|| "web".to_owned()),
        user: user.into(),
    })
}

/// Deletes a status of `user`. Someone else's status → 403 (code 183), none → 404 (144).
#[tracing::instrument(level = "debug", skip_all, fields(id = id))]
pub async fn destroy(db: &Db, user: &User, id: i64) -> Result<StatusJson> {
    let mut found = timeline(db, Some(user.id), Page::default(), Some(id)).await?;
    let Some(status) = found.pop() else {
        let exists = sqlx::query("select user_id from statuses where id = $1")
            .bind(id)
            .fetch_optional(db)
            .await?;
        return Err(if exists.is_some() {
            Error::Rejected {
                status: axum::http::StatusCode::FORBIDDEN,
                code: 183,
                message: "You may not delete another user's status.",
            }
        } else {
            Error::Rejected {
                status: axum::http::StatusCode::NOT_FOUND,
                code: 144,
                message: "No status found with that ID.",
            }
        });
    };
    sqlx::query("delete from statuses where id = $1 and user_id = $2")
        .bind(id)
        .bind(user.id)
        .execute(db)
        .await?;
    Ok(status)
}

/// Statuses newest first: of one user, or of everyone (`user_id` None); or one by id.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn timeline(
    db: &Db,
    user_id: Option<i64>,
    page: Page,
    only_id: Option<i64>,
) -> Result<Vec<StatusJson>> {
    let count = page.count.unwrap_or(20).clamp(1, 200);
    let rows = sqlx::query(
        "select s.id, s.text, s.created_at, a.name as source, \
                u.id as user_id, u.screen_name, u.name, u.created_at as user_created_at \
         from statuses s \
         join users u on u.id = s.user_id \
         left join apps a on a.id = s.source_app_id \
         where ($1 is null or s.user_id = $1) \
           and ($2 is null or s.id > $2) \
           and ($3 is null or s.id <= $3) \
           and ($4 is null or s.id = $4) \
         order by s.id desc limit $5",
    )
    .bind(user_id)
    .bind(page.since_id)
    .bind(page.max_id)
    .bind(only_id)
    .bind(count)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|row| {
            let id: i64 = row.try_get("id")?;
            // The status's own `id` shares the row, so the user's columns are aliased.
            let user = User {
                id: row.try_get("user_id")?,
                screen_name: row.try_get("screen_name")?,
                name: row.try_get("name")?,
                created_at: row.try_get("user_created_at")?,
            };
            Ok(StatusJson {
                id,
                id_str: id.to_string(),
                text: row.try_get("text")?,
                created_at: twitter_time(row.try_get("created_at")?),
                source: row
                    .try_get::<Option<String>, _>("source")?
                    .unwrap_or_else(|| "web".to_owned()),
                user: (&user).into(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_at_uses_twitters_format() {
        assert_eq!(twitter_time(1539202764), "Wed Oct 10 20:19:24 +0000 2018");
    }

    #[test]
    fn status_text_is_one_to_280_characters() {
        assert!(check_text("hello").is_ok());
        assert!(check_text(&"é".repeat(280)).is_ok());
        assert!(matches!(
            check_text(&"a".repeat(281)),
            Err(Error::Rejected { code: 186, .. })
        ));
        assert!(matches!(
            check_text("  "),
            Err(Error::Rejected { code: 170, .. })
        ));
    }
}
