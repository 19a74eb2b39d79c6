//! Local accounts of the provider: the resource owners of RFC 5849 §1.1.

use crate::error::{Error, Result};
use crate::hashing::Hashing;
use crate::plumbing::db::{self, Db};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use serde::Serialize;
use sqlx::{FromRow, Row};

/// A user as its row reads (`select id, screen_name, name, created_at from users`).
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub screen_name: String,
    pub name: String,
    pub created_at: i64,
}

/// Why an account could not be created.
#[derive(Debug, thiserror::Error)]
pub enum SignUpError {
    #[error("a screen name is 1 to 15 letters, digits or underscores")]
    BadScreenName,
    #[error("the password must be at least 8 characters")]
    ShortPassword,
    #[error("the password must be at most 1024 bytes")]
    LongPassword,
    #[error("that screen name is taken")]
    Taken,
    #[error(transparent)]
    Other(#[from] Error),
}

const COLUMNS: &str = "id, screen_name, name, created_at";

fn from_row(row: &sqlx::any::AnyRow) -> Result<User> {
    Ok(User::from_row(row)?)
}

/// Twitter's rule for screen names.
pub fn valid_screen_name(name: &str) -> bool {
    (1..=15).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// [`create_with`] on the process's shared hashing (the command line, tests).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create(
    db: &Db,
    screen_name: &str,
    name: &str,
    password: &str,
) -> Result<User, SignUpError> {
    create_with(db, Hashing::shared(), screen_name, name, password).await
}

/// A new account. A taken name is answered before the password is hashed, so asking for
/// one costs no Argon2 run (the unique index still settles a race between two).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create_with(
    db: &Db,
    hashing: &Hashing,
    screen_name: &str,
    name: &str,
    password: &str,
) -> Result<User, SignUpError> {
    if !valid_screen_name(screen_name) {
        return Err(SignUpError::BadScreenName);
    }
    if password.chars().count() < 8 {
        return Err(SignUpError::ShortPassword);
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(SignUpError::LongPassword);
    }
    if by_screen_name(db, screen_name).await?.is_some() {
        return Err(SignUpError::Taken);
    }
    let password_hash = hash_password(hashing, password).await?;
    let name = if name.trim().is_empty() {
        screen_name
    } else {
        name.trim()
    };
    let user = User {
        id: db::new_id(),
        screen_name: screen_name.to_owned(),
        name: name.to_owned(),
        created_at: db::now(),
    };
    let inserted = sqlx::query(
        "insert into users (id, screen_name, screen_name_key, name, password_hash, created_at) \
         values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(user.id)
    .bind(&user.screen_name)
    .bind(user.screen_name.to_ascii_lowercase())
    .bind(&user.name)
    .bind(password_hash)
    .bind(user.created_at)
    .execute(db)
    .await;
    match inserted {
        Ok(_) => Ok(user),
        Err(e) if db::is_unique_violation(&e) => Err(SignUpError::Taken),
        Err(e) => Err(SignUpError::Other(e.into())),
    }
}

#[tracing::instrument(level = "debug", skip_all, fields(id = id))]
pub async fn by_id(db: &Db, id: i64) -> Result<Option<User>> {
    let row = sqlx::query(&format!("select {COLUMNS} from users where id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?;
    row.as_ref().map(from_row).transpose()
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn by_screen_name(db: &Db, screen_name: &str) -> Result<Option<User>> {
    let row = sqlx::query(&format!(
        "select {COLUMNS} from users where screen_name_key = $1"
    ))
    .bind(screen_name.to_ascii_lowercase())
    .fetch_optional(db)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// Longer passwords are refused without hashing: hashing is the expensive part of a
/// guess, and no one types more.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// The user with this screen name and password, if both match.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn authenticate(
    db: &Db,
    hashing: &Hashing,
    screen_name: &str,
    password: &str,
) -> Result<Option<User>> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Ok(None);
    }
    let row = sqlx::query(&format!(
        "select {COLUMNS}, password_hash from users where screen_name_key = $1"
    ))
    .bind(screen_name.to_ascii_lowercase())
    .fetch_optional(db)
    .await?;
    let Some(row) = row else {
        // Spend the same time as a real check, so timing does not reveal which names exist.
        let _ = verify_password(hashing, password.to_owned(), DUMMY_HASH.to_owned()).await;
        return Ok(None);
    };
    let hash: String = row.try_get("password_hash")?;
    if verify_password(hashing, password.to_owned(), hash).await? {
        Ok(Some(from_row(&row)?))
    } else {
        Ok(None)
    }
}

/// argon2id of "not a password", with the default parameters.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2u0WWMQFpeT0FUBzhs/5bDsQrCKakmcI3t4a+YFwgpk";

async fn hash_password(hashing: &Hashing, password: &str) -> Result<String> {
    let password = password.to_owned();
    hashing
        .run(move || {
            let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
            Argon2::default()
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| Error::Internal(format!("hashing a password: {e}")))
        })
        .await?
}

async fn verify_password(hashing: &Hashing, password: String, hash: String) -> Result<bool> {
    hashing
        .run(move || {
            let parsed = PasswordHash::new(&hash)
                .map_err(|e| Error::Internal(format!("stored password hash: {e}")))?;
            Ok(Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok())
        })
        .await?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn screen_names_follow_twitters_rule() {
        assert!(valid_screen_name("alice_01"));
        assert!(!valid_screen_name(""));
        assert!(!valid_screen_name("a-b"));
        assert!(!valid_screen_name("sixteen_chars_xx"));
    }

    #[tokio::test]
    async fn a_password_verifies_against_its_own_hash_only() {
        let hashing = Hashing::shared();
        let hash = hash_password(hashing, "correct horse").await.unwrap();
        let verify = |password: &str| verify_password(hashing, password.into(), hash.clone());
        assert!(verify("correct horse").await.unwrap());
        assert!(!verify("wrong horse").await.unwrap());
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
    }
}
