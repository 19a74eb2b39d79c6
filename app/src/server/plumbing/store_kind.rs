//! Where a store keeps its records, as a `*_STORE` setting says: the service's database
//! (`sql`, the default) or Redis (`redis`, at `REDIS_URL`).

/// A store's place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreKind {
    /// The service's own database: shared by the instances on it.
    Sql,
    /// Redis at this URL: shared too, and no database round trip.
    Redis(String),
}

impl StoreKind {
    /// Reads a `*_STORE` value (`sql` or `redis`, default `sql`) and, for Redis,
    /// `REDIS_URL` (default `redis://127.0.0.1:6379`).
    pub fn from_vars(store: Option<&str>, redis_url: Option<&str>) -> Result<Self, String> {
        match store.map(str::trim).unwrap_or("sql") {
            "" | "sql" => Ok(Self::Sql),
            "redis" => Ok(Self::Redis(
                redis_url
                    .unwrap_or("redis://127.0.0.1:6379")
                    .trim()
                    .to_owned(),
            )),
            other => Err(format!("{other:?}: expected sql or redis")),
        }
    }

    /// The Redis URL, when the records are there.
    pub fn redis_url(&self) -> Option<&str> {
        match self {
            Self::Sql => None,
            Self::Redis(url) => Some(url),
        }
    }
}
