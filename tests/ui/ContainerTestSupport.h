// Shared by the suites that use a container in its window (open, drag out,
// find): a container of a few files encrypted to the test's own identity,
// opened in a ContainerWindow and loaded.
#pragma once

#include "UiTestSupport.h"

#include "ContainerWindow.h"

#include <QModelIndex>
#include <QStringList>

namespace coffer::test::ui {

/// Encrypts `inputs` to the context's own identity into `output`.
void encryptToSelf(AppContext& context, const std::vector<std::filesystem::path>& inputs,
                   const std::filesystem::path& output);

/// A window on `container`, shown and loaded (the caller deletes it).
coffer::ui::ContainerWindow* openLoaded(AppContext& context, const std::filesystem::path& container);

/// The archive paths the window's tree shows now, depth first.
QStringList shownPaths(const coffer::ui::ContainerWindow& window, const QModelIndex& parent = {});

/// The mode bits (07777) of `path`, not following a link.
unsigned modeOf(const std::filesystem::path& path);

} // namespace coffer::test::ui
