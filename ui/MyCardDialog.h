// My card: the card text to share, its QR code, the fingerprint to read
// aloud, Copy and Save; and the age address (age1... of the same X25519 key)
// for people who use age.
#pragma once

#include <QDialog>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QVBoxLayout;

namespace coffer::ui {

class AppContext;
class QrCodeWidget;

class MyCardDialog : public QDialog {
    Q_OBJECT

public:
    explicit MyCardDialog(AppContext& context, QWidget* parent = nullptr);

    QString cardText() const { return m_card; }
    QString fingerprint() const { return m_fingerprint; }
    QrCodeWidget* qrCode() const { return m_qr; }
    QPushButton* copyButton() const { return m_copy; }
    QPushButton* saveButton() const { return m_save; }
    QString ageAddress() const { return m_ageAddress; }
    QPlainTextEdit* ageAddressField() const { return m_ageField; }
    QPushButton* copyAgeAddressButton() const { return m_copyAge; }

public slots:
    void copyCard();
    void saveCard();
    void copyAgeAddress();

private:
    void addAgeAddress(QVBoxLayout* layout);

    QString m_card;
    QString m_fingerprint;
    QString m_name;
    QString m_ageAddress;
    QPlainTextEdit* m_cardView;
    QrCodeWidget* m_qr;
    QLabel* m_fingerprintLabel;
    QLabel* m_status;
    QPushButton* m_copy;
    QPushButton* m_save;
    QPlainTextEdit* m_ageField;
    QPushButton* m_copyAge;
};

} // namespace coffer::ui
