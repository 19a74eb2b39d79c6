//! Scopes (RFC 6749 §3.3) with X's names: a space-separated list in requests and
//! responses, each one a permission the consent page puts in words.

use std::fmt;

/// One of the scopes this provider grants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    TweetRead,
    TweetWrite,
    UsersRead,
    /// A refresh token comes with the access token (X's `offline.access`).
    OfflineAccess,
}

impl Scope {
    pub const ALL: [Scope; 4] = [
        Scope::TweetRead,
        Scope::TweetWrite,
        Scope::UsersRead,
        Scope::OfflineAccess,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::TweetRead => "tweet.read",
            Scope::TweetWrite => "tweet.write",
            Scope::UsersRead => "users.read",
            Scope::OfflineAccess => "offline.access",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Scope::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// What the person allows, as the consent page says it.
    pub fn words(self) -> &'static str {
        match self {
            Scope::TweetRead => "Read your posts and your timeline.",
            Scope::TweetWrite => "Post and delete posts for you.",
            Scope::UsersRead => "See your profile: your name and username.",
            Scope::OfflineAccess => "Stay connected until you revoke access (a refresh token).",
        }
    }
}

/// A set of scopes, kept sorted and without repeats.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scopes(Vec<Scope>);

/// A scope name this provider does not know (RFC 6749 §4.1.2.1 `invalid_scope`).
#[derive(Debug, PartialEq, Eq)]
pub struct UnknownScope;

impl Scopes {
    /// RFC 6749 §3.3: `scope = scope-token *( SP scope-token )`. Repeated names count
    /// once; an empty list is an empty set.
    pub fn parse(list: &str) -> Result<Self, UnknownScope> {
        let mut scopes = list
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(|s| Scope::parse(s).ok_or(UnknownScope))
            .collect::<Result<Vec<_>, _>>()?;
        scopes.sort();
        scopes.dedup();
        Ok(Self(scopes))
    }

    pub fn contains(&self, scope: Scope) -> bool {
        self.0.contains(&scope)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn is_subset_of(&self, other: &Scopes) -> bool {
        self.0.iter().all(|s| other.contains(*s))
    }

    pub fn iter(&self) -> impl Iterator<Item = Scope> + '_ {
        self.0.iter().copied()
    }

    /// Every scope of either set.
    pub fn union(&self, other: &Scopes) -> Scopes {
        let mut scopes: Vec<Scope> = self.iter().chain(other.iter()).collect();
        scopes.sort();
        scopes.dedup();
        Scopes(scopes)
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.0.iter().map(|s| s.as_str()).collect();
        f.write_str(&names.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_a_space_separated_set_of_xs_names() {
        let scopes = Scopes::parse("users.read tweet.read  tweet.read offline.access").unwrap();
        assert_eq!(scopes.to_string(), "tweet.read users.read offline.access");
        assert!(scopes.contains(Scope::OfflineAccess));
        assert!(!scopes.contains(Scope::TweetWrite));
        assert_eq!(Scopes::parse("tweet.read follows.read"), Err(UnknownScope));
        assert!(Scopes::parse("").unwrap().is_empty());
        let fewer = Scopes::parse("tweet.read").unwrap();
        assert!(fewer.is_subset_of(&scopes) && !scopes.is_subset_of(&fewer));
        let write = Scopes::parse("tweet.write tweet.read").unwrap();
        assert_eq!(
            fewer.union(&write).union(&scopes).to_string(),
            "tweet.read tweet.write users.read offline.access"
        );
    }
}
