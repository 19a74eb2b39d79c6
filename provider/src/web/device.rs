//! Known devices, so that guessing cannot lock an owner out (OWASP's "device cookies").
//! A browser that signed in to an account gets a cookie naming it, signed with a key all
//! instances share; its later sign-ins to that account spend a quota of that browser's
//! own instead of the account's, which a guesser with many addresses can drain.
//!
//! The cookie is `{id}.{mac}`: a random id, and HMAC-SHA256(key, account, id) in hex. It
//! proves only that this browser once knew the password; a stolen one is worth the tight
//! per-device quota (`LOGIN_ATTEMPTS_PER_ACCOUNT_AND_ADDRESS`) and nothing more.

use hmac::{Hmac, KeyInit as _, Mac as _};
use sha2::Sha256;
use subtle::ConstantTimeEq as _;
use tower_cookies::Cookies;
use tower_sessions::cookie::{Cookie, SameSite};

use crate::plumbing::db::Db;

/// Characters of the random id.
const ID_LEN: usize = 24;

/// The key and cookie settings.
pub struct DeviceKey {
    key: Vec<u8>,
    cookie: String,
    secure: bool,
}

impl DeviceKey {
    /// The key every instance on `db` shares (created by the first one), and the cookie
    /// `{brand}_device` (`__Host-` prefixed when `secure`).
    pub async fn load(db: &Db, brand: &str, secure: bool) -> Result<Self, sqlx::Error> {
        Ok(Self {
            key: super::server_keys::shared(db, "device").await?,
            cookie: super::server_keys::cookie_name(brand, "device", secure),
            secure,
        })
    }

    fn mac(&self, account: &str, id: &str) -> String {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.key) else {
            // HMAC takes keys of any length.
            return String::new();
        };
        mac.update(b"device\0");
        mac.update(account.as_bytes());
        mac.update(b"\0");
        mac.update(id.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// The id of this browser if its cookie says it signed in to `account` before.
    pub fn known(&self, cookies: &Cookies, account: &str) -> Option<String> {
        let cookie = cookies.get(&self.cookie)?;
        self.check(cookie.value(), account)
    }

    /// The id in cookie value `value` if it was made for `account` with this key.
    fn check(&self, value: &str, account: &str) -> Option<String> {
        let (id, mac) = value.split_once('.')?;
        if id.len() != ID_LEN || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        let good = self.mac(account, id);
        bool::from(good.as_bytes().ct_eq(mac.as_bytes())).then(|| id.to_owned())
    }

    /// Remembers this browser for `account` (after a correct password), for a year.
    pub fn remember(&self, cookies: &Cookies, account: &str) {
        cookies.add(
            Cookie::build((self.cookie.clone(), self.value_for(account)))
                .path("/")
                .http_only(true)
                .same_site(SameSite::Lax)
                .secure(self.secure)
                .max_age(time::Duration::days(365))
                .build(),
        );
    }

    fn value_for(&self, account: &str) -> String {
        let id = crate::store::apps::random_credential(ID_LEN);
        let mac = self.mac(account, &id);
        format!("{id}.{mac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(secret: &str) -> DeviceKey {
        DeviceKey {
            key: secret.as_bytes().to_vec(),
            cookie: "chirp_device".into(),
            secure: false,
        }
    }

    #[test]
    fn a_device_cookie_names_one_account_and_one_key() {
        let key = key("k1");
        let value = key.value_for("alice");
        let id = key.check(&value, "alice").expect("known for alice");
        assert_eq!(id.len(), ID_LEN);
        assert!(value.starts_with(&id));
        assert_eq!(key.check(&value, "bob"), None, "another account");
        assert_eq!(self::key("k2").check(&value, "alice"), None, "another key");
    }

    #[test]
    fn a_forged_or_altered_device_cookie_is_unknown() {
        let key = key("k1");
        let value = key.value_for("alice");
        let (id, mac) = value.split_once('.').unwrap();
        let other_id = format!("{}x", &id[1..]);
        for forged in [
            format!("{other_id}.{mac}"),
            format!("{id}.{}", mac.replace(|c: char| c != '0', "0")),
            format!("{id}."),
            id.to_owned(),
            String::new(),
            format!("{id}.{mac}.{mac}"),
        ] {
            assert_eq!(key.check(&forged, "alice"), None, "{forged}");
        }
    }
}
