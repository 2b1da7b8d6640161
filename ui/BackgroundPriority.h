// Background work yields to the GUI thread when the CPU is contended: the
// threads that encrypt, extract and run Argon2id are niced (+5 on Linux), so
// the event loop keeps turning even while every core is busy. Only
// throughput under contention changes; on an idle machine nothing does.
#pragma once

namespace coffer::ui {

/// Lowers the calling thread's priority once (later calls do nothing).
void lowerCurrentThreadPriority();
/// Starts the shared crypto worker threads from a low-priority thread, so
/// they inherit its priority (threads inherit their creator's nice value).
/// Call once early, before any keyring or job work.
void startCryptoWorkersAtLowPriority();

} // namespace coffer::ui
