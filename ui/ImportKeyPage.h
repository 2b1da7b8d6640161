// First run, "Import a key": a Coffer secret key or an age identity, pasted
// or read from a file. The text goes straight into wiped memory.
#pragma once

#include "Keys.h"

#include <QWidget>

#include <optional>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

namespace coffer::ui {

class ImportKeyPage : public QWidget {
    Q_OBJECT

public:
    explicit ImportKeyPage(QWidget* parent = nullptr);

    bool hasInput() const;
    /// Parses what was pasted or loaded (and clears it). One Coffer key and/or age identities.
    Result<std::vector<crypto::SecretIdentity>> takeIdentities();
    /// The name on the card: of the imported Coffer key, or of the new identity made beside age keys.
    QString nameForIdentity() const;
    QPlainTextEdit* keyField() const { return m_text; }
    QLineEdit* nameField() const { return m_name; }
    /// Reads a key file (as "Load from file…" does).
    void loadFile(const QString& path);
    /// None while another tab is shown, so the first-run dialog fits the tab in front.
    int heightForWidth(int width) const override;

signals:
    void changed();

private:
    QPlainTextEdit* m_text;
    QPushButton* m_load;
    QLabel* m_loaded;
    QLineEdit* m_name;
    std::optional<crypto::SecureString> m_fileSecret;
};

} // namespace coffer::ui
