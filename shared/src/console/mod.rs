//! The union staff's console (/admin/): what each /api/admin route does, one module per area.
//! Every route starts from `staff_session::authenticate` and the one permission it needs, and
//! reaches only the staff member's own union: another union's ids are answered as missing.

pub mod audit_log;
pub mod export;
pub mod invitation;
pub mod leaflet;
pub mod lists;
pub mod me;
pub mod people;
pub mod progress;
pub mod review;
pub mod signin;
pub mod staff;
pub mod target_ref;

pub use target_ref::TargetRef;
