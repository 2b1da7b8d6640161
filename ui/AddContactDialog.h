// Add a contact: paste their card (coffer1…) or age key (age1…), or load it
// from a file, and give a name (the card's own name is suggested).
#pragma once

#include "FittedDialog.h"

#include "Keyring.h"

#include <optional>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

namespace coffer::ui {

class AddContactDialog : public FittedDialog {
    Q_OBJECT

public:
    explicit AddContactDialog(const QString& initialKey = {}, QWidget* parent = nullptr);

    /// The contact to add, once the dialog was accepted.
    std::optional<Contact> contact() const;
    QPlainTextEdit* keyField() const { return m_key; }
    QLineEdit* nameField() const { return m_name; }
    QPushButton* addButton() const { return m_add; }
    QString problemText() const;

private:
    void parse();
    void submit();
    void suggestName(const std::string& cardName);

    QPlainTextEdit* m_key;
    QLineEdit* m_name;
    QLabel* m_fingerprint;
    QLabel* m_problem;
    QPushButton* m_add;
    std::optional<crypto::RecipientKey> m_parsed;
    bool m_nameEdited = false;
};

} // namespace coffer::ui
