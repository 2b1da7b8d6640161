// Short work off the GUI thread (Argon2id for the keyring, listing a
// container): `work` runs on a pool thread, then `done(result)` runs on the
// thread of `context` — or never, if `context` was destroyed meanwhile. The
// work must not touch `context` or anything the GUI thread may free: capture
// by value (shared_ptr for move-only state).
#pragma once

#include "BackgroundPriority.h"

#include <QFutureWatcher>
#include <QObject>
#include <QtConcurrent/QtConcurrentRun>

#include <memory>
#include <optional>
#include <type_traits>

namespace coffer::ui {

template <typename Work, typename Done> void runInBackground(QObject* context, Work work, Done done)
{
    using T = std::invoke_result_t<Work&>;
    auto slot = std::make_shared<std::optional<T>>();
    auto* watcher = new QFutureWatcher<void>(context);
    QObject::connect(watcher, &QFutureWatcher<void>::finished, context,
                     [watcher, slot, done = std::move(done)]() mutable {
                         watcher->deleteLater();
                         done(std::move(**slot));
                     });
    auto shared = std::make_shared<Work>(std::move(work));
    watcher->setFuture(QtConcurrent::run([slot, shared]() {
        lowerCurrentThreadPriority();
        slot->emplace((*shared)());
    }));
}

} // namespace coffer::ui
