//! InfluxDB encoding, pure: the line protocol builder (`line`) and the schema of what the daemon
//! writes (`schema`). The daemon's `influx` module sends it.

pub mod line;
pub mod schema;
