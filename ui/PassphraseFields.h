// A new passphrase typed twice, with a strength hint and a match check.
#pragma once

#include "SecureMemory.h"

#include <QWidget>

class QLabel;
class QLineEdit;
class QProgressBar;

namespace coffer::ui {

class PassphraseFields : public QWidget {
    Q_OBJECT

public:
    explicit PassphraseFields(QWidget* parent = nullptr);

    /// Long enough and typed the same twice.
    bool isAcceptable() const;
    bool isEmpty() const;
    /// Takes the passphrase into wiped memory and clears both fields.
    crypto::SecureString takePassphrase();
    void clear();
    QLineEdit* firstField() const { return m_first; }
    QLineEdit* secondField() const { return m_second; }
    QString hintText() const;

signals:
    void changed();

private:
    void refresh();

    QLineEdit* m_first;
    QLineEdit* m_second;
    QProgressBar* m_meter;
    QLabel* m_strength;
    QLabel* m_match;
};

} // namespace coffer::ui
