// Helpers for the screenshot tour: waiting for a signal without sleeping,
// letting a window lay out and paint, saving a grab, sample files, and a dark
// palette to check the look with.
#pragma once

#include <QEventLoop>
#include <QPalette>
#include <QString>
#include <QTimer>
#include <QWidget>

#include <cstdint>

namespace coffer::ui::tour {

/// Runs the event loop until `signal` fires or `timeoutMs` passes; true if it fired.
template <typename Sender, typename Signal> bool waitForSignal(Sender* sender, Signal signal, int timeoutMs = 120000)
{
    QEventLoop loop;
    QTimer timer;
    timer.setSingleShot(true);
    QObject::connect(sender, signal, &loop, [&loop]() { loop.exit(0); });
    QObject::connect(&timer, &QTimer::timeout, &loop, [&loop]() { loop.exit(1); });
    timer.start(timeoutMs);
    return loop.exec() == 0;
}

/// Lets pending layout and paint events run.
void settle(int ms = 150);
/// Grabs `widget` into DIR/NAME.png; prints the path.
bool savePng(QWidget* widget, const QString& dir, const QString& name);
/// Incompressible bytes (a fast xorshift), written in 1 MiB blocks.
bool writeRandomFile(const QString& path, std::uint64_t bytes);
/// A small tree of documents and photos to encrypt.
void writeSampleTree(const QString& root);
QPalette darkPalette();

} // namespace coffer::ui::tour
