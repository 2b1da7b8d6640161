// Verify a contact: their fingerprint as they read it aloud (typed here, if
// the user likes) beside the card's own fingerprint; "they read me the same
// digits" then marks them verified.
#pragma once

#include "FittedDialog.h"

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace coffer::ui {

class VerifyContactDialog : public FittedDialog {
    Q_OBJECT

public:
    VerifyContactDialog(const QString& name, const QString& fingerprint, QWidget* parent = nullptr);

    QLineEdit* heardField() const { return m_heard; }
    QCheckBox* sameDigitsBox() const { return m_same; }
    QPushButton* verifyButton() const { return m_verify; }
    QString comparisonText() const;

    /// Digits only, so "12345 67890" and "1234567890" compare equal.
    static QString digitsOf(const QString& text);

private:
    void compare();

    QString m_fingerprint;
    QLineEdit* m_heard;
    QLabel* m_comparison;
    QCheckBox* m_same;
    QPushButton* m_verify;
};

} // namespace coffer::ui
