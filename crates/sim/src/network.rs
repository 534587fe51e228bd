//! The network between the devices and the hub: what becomes of each
//! request on the wire (delivered, lost, cut, or answered by a hub that
//! then dies, to a device that then dies), the waits between attempts, and
//! syncing everyone to the end at quiescent points.

use std::time::Duration;

use highland_domain::wire::SyncResponse;
use highland_engine::sync::{HUB_UNSETTLED, HubError, Sent, read_answer};

use crate::config::Fault;
use crate::device::Activity;
use crate::error::{Result, SimError, ensure};
use crate::world::World;

/// What happens to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    Delivered,
    RequestLost,
    /// The connection breaks after part of the request's body.
    RequestCut,
    ResponseLost,
    /// The connection breaks after part of the answer's body.
    ResponseCut,
    /// The hub commits the exchange and dies before it answers.
    HubKilled,
    /// The answer arrives and the device dies before it commits it.
    DeviceKilled,
}

/// How many requests one device may need to sync to the end when nothing
/// is lost: far more than any run's backlog.
const MAX_REQUESTS: u32 = 2_000;

/// How a device's sync ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    Done,
    /// The hub's history changed at every answer (`hub_unsettled`): the next
    /// sync tries again.
    Unsettled,
    /// The device's process died.
    Killed,
}

impl World {
    pub(crate) fn fate(&mut self) -> Fate {
        if self.calm {
            return Fate::Delivered;
        }
        let fate = self
            .rng
            .weighted(&[
                (70, Fate::Delivered),
                (8, Fate::RequestLost),
                (4, Fate::RequestCut),
                (8, Fate::ResponseLost),
                (4, Fate::ResponseCut),
                (3, Fate::HubKilled),
                (3, Fate::DeviceKilled),
            ])
            .unwrap_or(Fate::Delivered);
        let fault = match fate {
            Fate::Delivered => return fate,
            Fate::RequestLost => Fault::RequestLost,
            Fate::RequestCut | Fate::ResponseCut => Fault::BodyCut,
            Fate::ResponseLost => Fault::ResponseLost,
            Fate::HubKilled => Fault::HubKilled,
            Fate::DeviceKilled => Fault::DeviceKilled,
        };
        // A fault switched off leaves the request to arrive.
        if self.faults.on(fault) {
            fate
        } else {
            Fate::Delivered
        }
    }

    pub(crate) fn start_sync(&mut self, d: usize) -> Result<Option<Ended>> {
        self.trace
            .note(format!("{} starts a sync", self.devices[d].name));
        self.devices[d].start_sync()?;
        self.run_device(d)
    }

    /// Runs device `d`'s sync until it sends, waits or ends.
    pub(crate) fn run_device(&mut self, d: usize) -> Result<Option<Ended>> {
        let outcome = self.devices[d].run()?;
        let device = &mut self.devices[d];
        let name = device.name.clone();
        match outcome {
            None => {
                if device.activity() == Activity::InFlight {
                    device.sent_at_ms = self.true_ms;
                }
                Ok(None)
            }
            Some(Ok(report)) => {
                self.trace.note(format!(
                    "{name}'s sync ends: {} pushed, {} refused, {} pulled, {} requests answered, {} retries",
                    report.pushed, report.refused, report.pulled, report.round_trips, report.retries
                ));
                Ok(Some(Ended::Done))
            }
            Some(Err(e)) if e.code() == HUB_UNSETTLED => {
                self.trace.note(format!(
                    "{name}'s sync stops: the hub's history kept changing"
                ));
                Ok(Some(Ended::Unsettled))
            }
            Some(Err(e)) => Err(SimError::Violation(format!(
                "{name}'s sync stopped with an error ({}): {e}",
                e.code()
            ))),
        }
    }

    /// The request on device `d`'s wire meets its fate; how the device's
    /// sync ended, if it did.
    pub(crate) fn deliver(&mut self, d: usize, fate: Fate) -> Result<Option<Ended>> {
        let Some(request) = self.devices[d].take_request() else {
            return Ok(None);
        };
        self.stats.exchanges += 1;
        let name = self.devices[d].name.clone();
        let took = Duration::from_millis(self.true_ms.saturating_sub(self.devices[d].sent_at_ms));
        let lost = |why: &str| Err(HubError::Unreachable(why.to_owned()));
        let answer = match fate {
            Fate::RequestLost => {
                self.stats.fault(Fault::RequestLost);
                self.trace
                    .note(format!("{name}'s request is lost on the way"));
                lost("the request was lost on the way")
            }
            Fate::RequestCut => {
                self.stats.fault(Fault::BodyCut);
                let cut = self
                    .fault_rng(Fault::BodyCut)
                    .below(request.body.len() as u64) as usize;
                let before = self.hub.storage()?.log_length()?;
                let answered = self.hub.sync(&request, Some(cut))?;
                let after = self.hub.storage()?.log_length()?;
                self.trace.note(format!(
                    "{name}'s request is cut after {cut} of {} bytes; the hub answers {}",
                    request.body.len(),
                    answered.status
                ));
                ensure(answered.status >= 400 && before == after, || {
                    format!(
                        "a request cut after {cut} of {} bytes was taken: the hub answered {} \
                         and its log went from {before} to {after}",
                        request.body.len(),
                        answered.status
                    )
                })?;
                lost("the connection was cut while sending")
            }
            _ => {
                if self.trace.prints() {
                    let carried = contents(&request.body);
                    self.trace.note(format!("  {name} sends: {carried}"));
                }
                let answered = self.hub.sync(&request, None)?;
                ensure(answered.status < 500, || {
                    format!(
                        "the hub answered {name}'s request with {}: {}; the request: {}",
                        answered.status,
                        String::from_utf8_lossy(&answered.body),
                        contents(&request.body)
                    )
                })?;
                match fate {
                    Fate::ResponseLost => {
                        self.stats.fault(Fault::ResponseLost);
                        self.trace.note(format!("the answer to {name} is lost"));
                        lost("no answer came")
                    }
                    Fate::ResponseCut => {
                        self.stats.fault(Fault::BodyCut);
                        let cut = self
                            .fault_rng(Fault::BodyCut)
                            .below(answered.wire_bytes as u64);
                        self.trace.note(format!(
                            "the answer to {name} is cut after {cut} of {} bytes",
                            answered.wire_bytes
                        ));
                        lost("the connection closed before the whole answer came")
                    }
                    Fate::HubKilled => {
                        self.stats.fault(Fault::HubKilled);
                        self.trace.note(format!(
                            "the hub dies after it took {name}'s request, before it answers"
                        ));
                        self.hub.restart()?;
                        lost("the connection was reset")
                    }
                    Fate::DeviceKilled => {
                        self.stats.fault(Fault::DeviceKilled);
                        self.trace.note(format!(
                            "{name} dies with the hub's answer in hand, before it commits it"
                        ));
                        self.devices[d].kill()?;
                        return Ok(Some(Ended::Killed));
                    }
                    _ => {
                        let read = read_answer::<SyncResponse>(answered.status, &answered.body);
                        self.trace.note(format!("{name} gets {}", describe(&read)));
                        if let (true, Ok(response)) = (self.trace.prints(), &read)
                            && !response.operations.is_empty()
                        {
                            let pulled = listed(&response.operations);
                            self.trace.note(format!("  {name} pulls: {pulled}"));
                        }
                        read.map(|response| {
                            let sent = Sent {
                                body_bytes: request.body.len() as u64,
                                took,
                            };
                            (response, sent)
                        })
                    }
                }
            }
        };
        let committed = fate == Fate::Delivered;
        self.devices[d].answer(answer);
        let ended = self.run_device(d)?;
        if committed {
            self.note_committed(d)?;
            self.check_cursor(d)?;
            self.check_acknowledged(d)?;
        }
        Ok(ended)
    }

    /// Traces where device `d` stands after it committed an answer, and
    /// what it noticed of the hub going back, or of its own file.
    fn note_committed(&mut self, d: usize) -> Result<()> {
        let status = self.devices[d].store()?.sync_status()?;
        let device = &mut self.devices[d];
        let mut noticed = String::new();
        let went_back = status.hub_went_back.as_ref().map(|w| w.at.clone());
        if went_back.is_some() && went_back != device.hub_went_back_at {
            if let Some(w) = &status.hub_went_back {
                noticed = format!(
                    "; it finds the hub went back, sends {} again and gives back {}",
                    w.resent, w.returned
                );
            }
            device.hub_went_back_at = went_back;
        }
        self.trace.note(format!(
            "  {} now at cursor {}, {} pending{noticed}",
            device.name, status.cursor, status.pending_ops
        ));
        Ok(())
    }

    /// Device `d`'s wait between attempts ends, the time it took having
    /// passed; how its sync ended, if it did.
    pub(crate) fn wait_out(&mut self, d: usize) -> Result<Option<Ended>> {
        let Activity::Paused(wait) = self.devices[d].activity() else {
            return Ok(None);
        };
        self.time_passes(wait.as_millis() as u64);
        self.devices[d].end_pause();
        self.run_device(d)
    }

    /// Every device of `who` syncs to the end, twice around, so each has
    /// what the others sent; then each syncs once more and must find
    /// nothing left to exchange.
    pub(crate) fn quiesce(&mut self, who: &[usize]) -> Result<()> {
        self.calm = true;
        let outcome = self.quiesce_calmly(who);
        self.calm = false;
        outcome
    }

    fn quiesce_calmly(&mut self, who: &[usize]) -> Result<()> {
        for _ in 0..2 {
            for &d in who {
                self.sync_to_end(d)?;
            }
        }
        for &d in who {
            let before = self.stats.exchanges;
            let pending = self.devices[d].store()?.sendable_count()?;
            self.sync_to_end(d)?;
            let requests = self.stats.exchanges - before;
            ensure(requests == 1 && pending == 0, || {
                format!(
                    "{} still had something to exchange after everyone synced: \
                     {pending} operations to send, {requests} requests",
                    self.devices[d].name
                )
            })?;
        }
        Ok(())
    }

    /// Device `d` syncs, nothing lost, until its sync ends well.
    fn sync_to_end(&mut self, d: usize) -> Result<()> {
        let mut ended = None;
        for _ in 0..MAX_REQUESTS {
            ended = match (ended, self.devices[d].activity()) {
                (Some(Ended::Done), _) => return Ok(()),
                (Some(_), _) | (None, Activity::Idle) => {
                    self.devices[d].start_sync()?;
                    self.run_device(d)?
                }
                (None, Activity::InFlight) => self.deliver(d, Fate::Delivered)?,
                (None, Activity::Paused(_)) => self.wait_out(d)?,
            };
        }
        Err(SimError::Violation(format!(
            "{} did not finish syncing in {MAX_REQUESTS} requests with nothing lost",
            self.devices[d].name
        )))
    }
}

/// What a request carried, as a failure tells it: each operation's kind,
/// id and device, in order.
fn contents(body: &[u8]) -> String {
    let request: Option<highland_domain::wire::SyncRequest> = zstd::decode_all(body)
        .ok()
        .and_then(|json| serde_json::from_slice(&json).ok());
    match request {
        Some(request) => format!("cursor {}, {}", request.cursor, listed(&request.operations)),
        None => "unreadable".to_owned(),
    }
}

/// Operations as the trace lists them: each one's kind, entity, device
/// and timestamp.
fn listed(operations: &[highland_domain::wire::LoggedOperation]) -> String {
    use crate::workload::short;
    let ops: Vec<String> = operations
        .iter()
        .map(|text| match text.read() {
            Ok(op) => {
                let (kind, entity) = op.entity();
                let on = match &op.payload {
                    highland_domain::Payload::OrderPlaced { order } => {
                        format!(" on {}", short(&order.listing_id))
                    }
                    _ => String::new(),
                };
                let (who, at) = (short(&op.device_id), op.hlc.as_i64());
                format!("{} {}{on} by {who} at {at}", kind.slug(), short(&entity))
            }
            Err(_) => match text.envelope() {
                Ok(e) => format!(
                    "(unreadable) by {} at {}",
                    short(&e.device_id),
                    e.hlc.as_i64()
                ),
                Err(_) => "(unreadable)".to_owned(),
            },
        })
        .collect();
    ops.join(", ")
}

/// An answer as the trace tells it.
fn describe(answer: &Result<SyncResponse, HubError>) -> String {
    match answer {
        Ok(r) => {
            use highland_domain::wire::AckOutcome;
            let codes: std::collections::BTreeSet<String> = r
                .acks
                .iter()
                .filter_map(|a| match &a.outcome {
                    AckOutcome::Refused { reason } => Some(reason.code.to_string()),
                    AckOutcome::Applied { .. } => None,
                })
                .collect();
            let refused = r
                .acks
                .iter()
                .filter(|a| matches!(a.outcome, AckOutcome::Refused { .. }))
                .count();
            let refused = if codes.is_empty() {
                refused.to_string()
            } else {
                format!(
                    "{refused}: {}",
                    codes.into_iter().collect::<Vec<_>>().join(", ")
                )
            };
            let restamped = r
                .acks
                .iter()
                .filter(|a| matches!(a.outcome, AckOutcome::Applied { hlc: Some(_) }))
                .count();
            format!(
                "{} acks ({refused} refused, {restamped} re-stamped), {} operations, cursor {}{}",
                r.acks.len(),
                r.operations.len(),
                r.cursor,
                if r.more { ", more" } else { "" }
            )
        }
        Err(e) => format!("an error: {e}"),
    }
}
