// Settings: default compression, sign by default, auto-lock minutes, default
// output folder, and where Coffer keeps its data (portable mode, read-only).
#pragma once

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QSpinBox;

namespace coffer::ui {

class AppContext;

class SettingsDialog : public QDialog {
    Q_OBJECT

public:
    explicit SettingsDialog(AppContext& context, QWidget* parent = nullptr);

    QCheckBox* signBox() const { return m_sign; }
    QSpinBox* autoLockBox() const { return m_autoLock; }
    QCheckBox* keepKeysBox() const { return m_keepKeys; }
    QCheckBox* rememberBox() const { return m_remember; }

public slots:
    void accept() override;

private:
    AppContext& m_context;
    QComboBox* m_compression;
    QCheckBox* m_sign;
    QSpinBox* m_autoLock;
    QCheckBox* m_keepKeys;
    QCheckBox* m_remember;
    QLineEdit* m_outputFolder;
};

} // namespace coffer::ui
