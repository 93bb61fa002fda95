//! The one schema both backends share (see `migrations/sqlite` and
//! `migrations/postgres`).

diesel::table! {
    organizations (id) {
        id -> BigInt,
        name -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        email -> Nullable<Text>,
        default_organization_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    memberships (user_id, organization_id) {
        user_id -> Text,
        organization_id -> BigInt,
        role -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    api_keys (id) {
        id -> Text,
        user_id -> Text,
        organization_id -> Nullable<BigInt>,
        name -> Nullable<Text>,
        digest -> Binary,
        suffix -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        organization_id -> BigInt,
        user_id -> Text,
        device_id -> Text,
        platform -> Text,
        device_type -> Text,
        device_name -> Text,
        os_version -> Text,
        created_at -> Timestamp,
        released_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(api_keys -> users (user_id));
diesel::joinable!(memberships -> organizations (organization_id));
diesel::joinable!(memberships -> users (user_id));
diesel::joinable!(sessions -> organizations (organization_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(users -> organizations (default_organization_id));

diesel::allow_tables_to_appear_in_same_query!(
    api_keys,
    memberships,
    organizations,
    sessions,
    users
);
