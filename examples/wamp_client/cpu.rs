//! The process's CPU time, for the bench's per-call figure (Linux `/proc/self/stat`; `None`
//! elsewhere). Reading it takes microseconds, so the bench calls it between calls.

use std::time::Duration;

/// User plus system CPU time of this process so far.
pub fn process_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name may hold spaces: the fields that follow start after its `)`.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are the 14th and 15th fields of the line, 12th and 13th after `)`.
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // USER_HZ is 100 on every Linux that ships today.
    Some(Duration::from_millis(ticks * 10))
}
