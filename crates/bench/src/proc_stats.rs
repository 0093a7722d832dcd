//! A running process's figures, read from `/proc/PID`: its peak and current resident
//! memory (`status`) and the CPU time it has used (`stat`). Each is `None` once the
//! process is gone or the file does not parse.

/// The `field` line of `/proc/PID/status` (such as `VmHWM`), in kB.
fn status_kb(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Peak resident memory (`VmHWM`), in kB.
pub fn peak_rss_kb(pid: u32) -> Option<u64> {
    status_kb(pid, "VmHWM")
}

/// Resident memory now (`VmRSS`), in kB.
pub fn rss_kb(pid: u32) -> Option<u64> {
    status_kb(pid, "VmRSS")
}

/// The CPU time (user and system) used so far, in ms: `utime` and `stime` of
/// `/proc/PID/stat`, in clock ticks of 10 ms (Linux's `USER_HZ`).
pub fn cpu_ms(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The fields after the command name, which is in brackets and may hold spaces:
    // utime and stime are the 12th and 13th of them.
    let (_, rest) = stat.rsplit_once(')')?;
    let mut fields = rest.split_whitespace().skip(11);
    let utime: f64 = fields.next()?.parse().ok()?;
    let stime: f64 = fields.next()?.parse().ok()?;
    Some((utime + stime) * 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_has_memory_and_has_used_cpu() {
        let pid = std::process::id();
        let (peak, now) = (peak_rss_kb(pid).unwrap(), rss_kb(pid).unwrap());
        assert!(now > 0 && peak >= now, "peak {peak} kB, now {now} kB");
        // Burn a little CPU so that at least one tick is counted.
        let start = std::time::Instant::now();
        let mut x = 0_u64;
        while start.elapsed() < std::time::Duration::from_millis(30) {
            x = std::hint::black_box(x.wrapping_add(1));
        }
        assert!(cpu_ms(pid).unwrap() >= 10.0);
        assert_eq!(peak_rss_kb(u32::MAX), None, "no such process");
    }
}
