#include "SecretInput.h"

#include <QEvent>
#include <QKeyEvent>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QStringEncoder>

namespace coffer::ui {

namespace {

/// Overwrites the characters of `text` in place (its buffer, if no one else shares it).
void wipeString(QString& text)
{
    if (text.isEmpty())
        return;
    QChar* chars = text.data(); // detaches only if the widget still shares it
    crypto::secureWipe(chars, static_cast<std::size_t>(text.size()) * sizeof(QChar));
    text.clear();
}

/// QLineEdit keeps every keystroke in its undo history, and clear() is itself an
/// undoable step: the passphrase would stay in the widget, one Ctrl+Z away. Only
/// setText() drops the history, so that is how a secret field is emptied.
void dropUndoHistory(QLineEdit* edit)
{
    const int cursor = edit->cursorPosition();
    const QString text = edit->text(); // shares the widget's buffer: no new copy of the secret
    edit->setText(text);
    edit->setCursorPosition(cursor);
}

/// Undo off in a secret field: Ctrl+Z and Ctrl+Shift+Z do nothing, and the
/// history is dropped after every keystroke or input-method commit.
class NoUndoFilter : public QObject {
public:
    using QObject::QObject;

    bool eventFilter(QObject* watched, QEvent* event) override
    {
        auto* edit = qobject_cast<QLineEdit*>(watched);
        if (!edit || (event->type() != QEvent::KeyPress && event->type() != QEvent::InputMethod))
            return QObject::eventFilter(watched, event);
        if (event->type() == QEvent::KeyPress) {
            const auto* key = static_cast<QKeyEvent*>(event);
            if (key->matches(QKeySequence::Undo) || key->matches(QKeySequence::Redo))
                return true;
        }
        watched->event(event); // the widget edits first, then its history goes
        if (edit->isUndoAvailable() || edit->isRedoAvailable())
            dropUndoHistory(edit); // only after an edit: Ctrl+A or Shift+arrows keep their selection
        return true;
    }
};

} // namespace

crypto::SecureString toSecureUtf8(QStringView text)
{
    QStringEncoder encoder(QStringEncoder::Utf8);
    crypto::SecureString out;
    out.resize(static_cast<std::size_t>(encoder.requiredSpace(text.size())));
    char* end = encoder.appendToBuffer(out.data(), text);
    out.resize(static_cast<std::size_t>(end - out.data()));
    return out;
}

crypto::SecureString takeSecret(QLineEdit* edit)
{
    QString text = edit->text();
    edit->setText(QString()); // not clear(): that would be one more undo step holding the secret
    crypto::SecureString secret = toSecureUtf8(text);
    wipeString(text);
    return secret;
}

crypto::SecureString takeSecret(QPlainTextEdit* edit)
{
    QString text = edit->toPlainText();
    edit->clear(); // also drops the undo history
    crypto::SecureString secret = toSecureUtf8(text);
    wipeString(text);
    return secret;
}

void makeSecretField(QLineEdit* edit)
{
    edit->setEchoMode(QLineEdit::Password);
    edit->setDragEnabled(false);
    edit->setAcceptDrops(false);
    edit->installEventFilter(new NoUndoFilter(edit));
    edit->setContextMenuPolicy(Qt::NoContextMenu);
    edit->setInputMethodHints(Qt::ImhHiddenText | Qt::ImhSensitiveData | Qt::ImhNoPredictiveText);
}

} // namespace coffer::ui
