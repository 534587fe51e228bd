//! What a run may do to the system: the kinds of fault, each of which can be
//! switched off to narrow a failing seed down, and where the hub keeps its
//! database.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

/// A kind of fault the simulation injects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fault {
    /// A sync request never reaches the hub.
    RequestLost,
    /// The hub answers; the answer never reaches the device.
    ResponseLost,
    /// The connection is cut in the middle of a request's or an answer's body.
    BodyCut,
    /// The hub's process dies after it committed an exchange and before it
    /// answered; it is started again on the same database.
    HubKilled,
    /// A device's process dies after the answer arrived and before it was
    /// committed; the app is started again on the same file.
    DeviceKilled,
    /// The hub's database is put back from an earlier backup: with
    /// `highland-hub restore` (a new incarnation), or copied back by hand.
    HubRestored,
    /// A device's clock is minutes to days off, and jumps, backwards too.
    ClockSkew,
    /// The hub's clock is stepped back (seconds to an hour), and later put
    /// right.
    HubClockBack,
    /// A device stays offline for the whole run, then comes back.
    DeviceOffline,
    /// An operation of a kind one part does not know: pushed by a newer
    /// app, or logged by a newer hub that was rolled back.
    MixedVersions,
}

impl Fault {
    pub const ALL: [Fault; 10] = [
        Fault::RequestLost,
        Fault::ResponseLost,
        Fault::BodyCut,
        Fault::HubKilled,
        Fault::DeviceKilled,
        Fault::HubRestored,
        Fault::ClockSkew,
        Fault::HubClockBack,
        Fault::DeviceOffline,
        Fault::MixedVersions,
    ];

    /// Its name on the command line (`--no-request-lost`) and in summaries.
    pub fn name(self) -> &'static str {
        match self {
            Fault::RequestLost => "request-lost",
            Fault::ResponseLost => "response-lost",
            Fault::BodyCut => "body-cut",
            Fault::HubKilled => "hub-killed",
            Fault::DeviceKilled => "device-killed",
            Fault::HubRestored => "hub-restored",
            Fault::ClockSkew => "clock-skew",
            Fault::HubClockBack => "hub-clock-back",
            Fault::DeviceOffline => "device-offline",
            Fault::MixedVersions => "mixed-versions",
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is no fault's.
#[derive(Debug, thiserror::Error)]
#[error("{0:?} is not a kind of fault; the kinds are {kinds}", kinds = kinds())]
pub struct UnknownFault(pub String);

fn kinds() -> String {
    Fault::ALL.map(Fault::name).join(", ")
}

impl FromStr for Fault {
    type Err = UnknownFault;

    fn from_str(s: &str) -> Result<Fault, UnknownFault> {
        Fault::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| UnknownFault(s.to_owned()))
    }
}

/// Which kinds of fault a run injects: all, unless switched off.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    off: BTreeSet<Fault>,
}

impl Faults {
    pub fn all() -> Faults {
        Faults::default()
    }

    pub fn without(mut self, fault: Fault) -> Faults {
        self.off.insert(fault);
        self
    }

    pub fn on(&self, fault: Fault) -> bool {
        !self.off.contains(&fault)
    }

    /// The kinds switched off, as `--no-…` flags, for a replay command.
    pub fn flags(&self) -> String {
        self.off
            .iter()
            .map(|f| format!(" --no-{f}"))
            .collect::<String>()
    }
}

/// How one run is set up, apart from its seed.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub faults: Faults,
    /// Run the hub on PostgreSQL: an admin URL of a server on which each
    /// run creates (and drops) a database of its own. SQLite otherwise.
    pub postgres_url: Option<String>,
    /// Keep the run's files (every SQLite database) when it ends, to look
    /// into; their folder is printed.
    pub keep_files: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fault_is_read_back_from_its_name() {
        for fault in Fault::ALL {
            assert_eq!(fault.name().parse::<Fault>().unwrap(), fault);
        }
        let error = "tornado".parse::<Fault>().unwrap_err().to_string();
        assert!(error.contains("request-lost"), "{error}");
    }

    #[test]
    fn faults_switched_off_become_replay_flags() {
        let faults = Faults::all()
            .without(Fault::HubRestored)
            .without(Fault::BodyCut);
        assert!(!faults.on(Fault::BodyCut) && faults.on(Fault::ClockSkew));
        assert_eq!(faults.flags(), " --no-body-cut --no-hub-restored");
    }
}
