// My card: the card text to share, its QR code, the fingerprint to read
// aloud, Copy and Save.
#pragma once

#include <QDialog>

class QLabel;
class QPlainTextEdit;
class QPushButton;

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

public slots:
    void copyCard();
    void saveCard();

private:
    QString m_card;
    QString m_fingerprint;
    QString m_name;
    QPlainTextEdit* m_cardView;
    QrCodeWidget* m_qr;
    QLabel* m_fingerprintLabel;
    QLabel* m_status;
    QPushButton* m_copy;
    QPushButton* m_save;
};

} // namespace coffer::ui
