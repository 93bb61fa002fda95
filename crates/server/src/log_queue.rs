//! The log's way to stderr while serving: records are queued, and a thread
//! of their own writes them, so that an actix worker never waits on the file
//! or pipe behind stderr. Written in place, a record is a `write` on the
//! worker that logged it; when that waits (a disk busy writing back, a log
//! collector reading late), so does every connection on the worker, and no
//! deadline can fire meanwhile (docs/RELIABILITY.md).

use std::io::{self, Write};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::thread;
use std::time::Duration;

/// Records the queue holds before a logging thread waits for room: several
/// seconds of the access log at full load, a few MiB at most.
const CAPACITY: usize = 32_768;

/// The most the writing thread gathers into one `write`.
const BATCH_BYTES: usize = 64 * 1024;

/// How long the writing thread lets records gather after a quiet spell
/// before it writes: unless records come faster than it writes, one
/// reaches stderr at most this much later than it was logged.
const GATHER: Duration = Duration::from_millis(5);

enum Message {
    Record(Vec<u8>),
    /// Answered once every record queued before it has been written.
    Drain(SyncSender<()>),
}

/// The sending end: a `Write` for `env_logger::Target::Pipe`, where each
/// write is one formatted record. Cheap to clone.
#[derive(Clone, Debug)]
pub struct LogQueue {
    queue: SyncSender<Message>,
}

impl LogQueue {
    /// Starts the thread that writes the queue to stderr.
    pub fn to_stderr() -> io::Result<Self> {
        let (queue, records) = mpsc::sync_channel(CAPACITY);
        thread::Builder::new()
            .name("log-writer".into())
            .spawn(move || write_out(&records, &mut io::stderr()))?;
        Ok(Self { queue })
    }

    /// Waits until every record queued so far is written: before the
    /// process exits, so that its last lines are not lost.
    pub fn drain(&self) {
        let (written, wait) = mpsc::sync_channel(1);
        if self.queue.send(Message::Drain(written)).is_ok() {
            // An error means the writing thread is gone: nothing to wait for.
            let _ = wait.recv();
        }
    }
}

impl Write for LogQueue {
    fn write(&mut self, record: &[u8]) -> io::Result<usize> {
        self.queue
            .send(Message::Record(record.to_vec()))
            .map_err(|_| io::Error::from(io::ErrorKind::BrokenPipe))?;
        Ok(record.len())
    }

    /// env_logger flushes after every record; the thread writes within
    /// [`GATHER`] anyway, so this does not wait (`drain` does).
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Writes what is queued until every sender is gone. After the first record
/// that finds it idle it waits [`GATHER`] for more, then writes everything
/// waiting (up to [`BATCH_BYTES`]) at once: under load a few hundred writes
/// and wake-ups a second, not one of each per record. With more waiting
/// than one batch holds, it writes the next batch without waiting.
fn write_out(records: &Receiver<Message>, out: &mut impl Write) {
    let mut batch = Vec::with_capacity(BATCH_BYTES);
    let mut drained = Vec::new();
    let mut behind = false;
    while let Ok(first) = records.recv() {
        if !behind {
            thread::sleep(GATHER);
        }
        let mut next = Some(first);
        while let Some(message) = next.take() {
            match message {
                Message::Record(record) => batch.extend_from_slice(&record),
                Message::Drain(written) => drained.push(written),
            }
            if batch.len() < BATCH_BYTES {
                next = records.try_recv().ok();
            }
        }
        behind = batch.len() >= BATCH_BYTES;
        // A log that cannot be written has nowhere to report it.
        let _ = out.write_all(&batch).and_then(|()| out.flush());
        batch.clear();
        for written in drained.drain(..) {
            let _ = written.send(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A queue whose thread writes into memory the test can read.
    fn queue() -> (LogQueue, thread::JoinHandle<Vec<u8>>) {
        let (queue, records) = mpsc::sync_channel(CAPACITY);
        let writer = thread::spawn(move || {
            let mut out = Vec::new();
            write_out(&records, &mut out);
            out
        });
        (LogQueue { queue }, writer)
    }

    #[test]
    fn every_record_is_written_in_order() {
        let (mut log, writer) = queue();
        let records: Vec<String> = (0..100_000).map(|n| format!("record {n}\n")).collect();
        for record in &records {
            log.write_all(record.as_bytes()).expect("queued");
        }
        drop(log);
        assert_eq!(
            String::from_utf8(writer.join().expect("writer")).expect("text"),
            records.concat()
        );
    }

    #[test]
    fn drain_returns_once_what_was_queued_is_written() {
        let (queue, records) = mpsc::sync_channel(CAPACITY);
        let (out, written) = mpsc::channel::<Vec<u8>>();
        /// Hands each write to the test as it happens.
        struct Reporting(mpsc::Sender<Vec<u8>>);
        impl Write for Reporting {
            fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
                let _ = self.0.send(bytes.to_vec());
                Ok(bytes.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        thread::spawn(move || write_out(&records, &mut Reporting(out)));
        let mut log = LogQueue { queue };
        log.write_all(b"last words\n").expect("queued");
        log.drain();
        let seen: Vec<u8> = written.try_iter().flatten().collect();
        assert_eq!(seen, b"last words\n");
    }

    #[test]
    fn a_stuck_stderr_does_not_hold_up_the_logger() {
        /// A sink that takes nothing until the test lets it.
        struct Stuck(Receiver<()>);
        impl Write for Stuck {
            fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
                let _ = self.0.recv();
                Ok(bytes.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let (queue, records) = mpsc::sync_channel(CAPACITY);
        let (release, stuck) = mpsc::channel();
        thread::spawn(move || write_out(&records, &mut Stuck(stuck)));
        let (logged, done) = mpsc::channel();
        thread::spawn(move || {
            let mut log = LogQueue { queue };
            for n in 0..CAPACITY / 2 {
                log.write_all(format!("record {n}\n").as_bytes())
                    .expect("queued");
            }
            let _ = logged.send(());
        });
        // Not a measure of speed: only a bound for a logger that waits on
        // its sink, which would never finish.
        let finished = done.recv_timeout(std::time::Duration::from_secs(30));
        drop(release);
        assert!(finished.is_ok(), "the logger waited for stderr");
    }
}
