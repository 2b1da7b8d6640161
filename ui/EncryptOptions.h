// The encrypt dialog's options: an optional passphrase (typed twice), Sign
// (and "Sign as", with several identities), following links, compression and the output file.
#pragma once

#include "ArchiveWriter.h"
#include "InputScan.h"
#include "SecureMemory.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QPushButton;

namespace coffer::ui {

class PassphraseFields;

class EncryptOptions : public QWidget {
    Q_OBJECT

public:
    explicit EncryptOptions(QWidget* parent = nullptr);

    /// `canSign` is false without a Coffer identity: Sign is then off and disabled.
    void setDefaults(Compression compression, bool sign, bool canSign);
    /// For an age file: no signature and no compression (age has neither);
    /// back to the container's choices when switched off again.
    void setAgeFormat(bool age);

    bool usePassphrase() const;
    void setUsePassphrase(bool on);
    PassphraseFields* passphraseFields() const { return m_passphrase; }
    bool sign() const;
    /// The identities that can sign, as (name, fingerprint), the default first: with two or
    /// more a "Sign as" box shows them.
    void setSigners(const QList<QPair<QString, QString>>& signers);
    /// The fingerprint of the identity chosen in "Sign as" (empty: the default).
    QString signerFingerprint() const;
    QComboBox* signAsBox() const { return m_signAs; }
    /// Links are skipped, or followed inside the chosen inputs (the CLI's --follow-links).
    LinkPolicy links() const;
    Compression compression() const;

    /// Sets the output unless the user has typed one of their own.
    void suggestOutputPath(const QString& path);
    void setOutputPath(const QString& path);
    QString outputPath() const;
    QCheckBox* signBox() const { return m_sign; }
    QCheckBox* passphraseBox() const { return m_usePassphrase; }
    QCheckBox* followLinksBox() const { return m_followLinks; }
    QComboBox* compressionBox() const { return m_compression; }

signals:
    void changed();

private:
    QCheckBox* m_usePassphrase;
    PassphraseFields* m_passphrase;
    QCheckBox* m_sign;
    QComboBox* m_signAs;
    QWidget* m_signAsRow;
    QCheckBox* m_followLinks;
    QComboBox* m_compression;
    QLineEdit* m_output;
    QPushButton* m_browse;
    bool m_outputEdited = false;
    bool m_canSign = false;
    bool m_age = false;
    bool m_signBeforeAge = false;
};

} // namespace coffer::ui
