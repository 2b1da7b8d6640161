// Message boxes and small text prompts behind a seam (KeePassXC's
// MessageBox::setNextAnswer): tests queue the answer and nothing modal is
// shown, so a GUI test never blocks on a dialog.
#pragma once

#include <QCoreApplication>
#include <QMessageBox>
#include <QString>

#include <optional>

namespace coffer::ui {

class MessageBox {
    Q_DECLARE_TR_FUNCTIONS(MessageBox)

public:
    using Button = QMessageBox::StandardButton;
    using Buttons = QMessageBox::StandardButtons;

    static Button information(QWidget* parent, const QString& title, const QString& text,
                              Buttons buttons = QMessageBox::Ok);
    static Button warning(QWidget* parent, const QString& title, const QString& text,
                          Buttons buttons = QMessageBox::Ok);
    /// Yes/No by default; `defaultButton` is what Enter picks.
    static Button question(QWidget* parent, const QString& title, const QString& text,
                           Buttons buttons = QMessageBox::Yes | QMessageBox::No,
                           Button defaultButton = QMessageBox::No);
    /// One line of text; nullopt when the user cancels.
    static std::optional<QString> getText(QWidget* parent, const QString& title, const QString& label,
                                          const QString& text = {});

    // Seams for tests.
    /// The next box returns this answer without being shown.
    static void setNextAnswer(Button answer);
    /// The next getText() returns this without being shown (nullopt = cancel).
    static void setNextText(std::optional<QString> text);
    /// In test mode a box with no queued answer is not shown either: it
    /// returns its default (or Cancel for getText) and is recorded.
    static void setTestMode(bool on);
    /// The text of the last box or prompt, shown or answered by a seam.
    static QString lastText();

private:
    static Button show(QMessageBox::Icon icon, QWidget* parent, const QString& title, const QString& text,
                       Buttons buttons, Button defaultButton);
};

} // namespace coffer::ui
