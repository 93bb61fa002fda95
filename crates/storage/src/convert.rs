//! Reading stored columns back into domain values. A value that does not
//! convert means a damaged database or a bug, never bad user input.

use std::str::FromStr;

use sessions_domain::{OrganizationId, Timestamp};
use time::PrimitiveDateTime;

use crate::StorageError;

pub(crate) fn timestamp(column: &str, value: PrimitiveDateTime) -> Result<Timestamp, StorageError> {
    Timestamp::from_utc_datetime(value).ok_or_else(|| corrupt(column, &value))
}

pub(crate) fn optional_timestamp(
    column: &str,
    value: Option<PrimitiveDateTime>,
) -> Result<Option<Timestamp>, StorageError> {
    value.map(|value| timestamp(column, value)).transpose()
}

pub(crate) fn organization_id(column: &str, value: i64) -> Result<OrganizationId, StorageError> {
    OrganizationId::new(value).ok_or_else(|| corrupt(column, &value))
}

/// Ids, roles, platforms: anything stored as its text form.
pub(crate) fn parsed<T: FromStr>(column: &str, value: &str) -> Result<T, StorageError> {
    value.parse().map_err(|_| corrupt(column, &value))
}

fn corrupt(column: &str, value: &dyn std::fmt::Debug) -> StorageError {
    StorageError::Corrupt(format!("{column} = {value:?}"))
}
