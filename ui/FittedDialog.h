// A dialog whose height follows its word-wrapped text, settled before Qt
// centres it on its parent window.
#pragma once

#include <QDialog>

namespace coffer::ui {

/// Qt centres a dialog on its parent in QDialog::showEvent, with the size it
/// has then. A dialog sized from its labels' unwrapped hints shrank after
/// that, and opened above the middle of its parent (60 px under openbox).
/// This one fits its height and centres itself again once it has settled.
class FittedDialog : public QDialog {
    Q_OBJECT

public:
    using QDialog::QDialog;

protected:
    void showEvent(QShowEvent* event) override;
    /// Resizes to the height the layout wants at the current width (wrapped text).
    void fitHeightToWidth();

private:
    void centreOnParent();
};

} // namespace coffer::ui
