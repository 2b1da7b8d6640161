// The Encrypt flow: files, recipients, format and options, then the progress
// view.
// The work runs on a worker thread (JobRunner) so the window stays responsive.
#pragma once

#include "JobRunner.h"

#include <QDialog>
#include <QStringList>

class QPushButton;

namespace coffer::ui {

class AppContext;
class EncryptOptions;
class FileListEditor;
class FormatChooser;
class JobProgressWidget;
class NoticePanel;
class RecipientPicker;

class EncryptDialog : public QDialog {
    Q_OBJECT

public:
    EncryptDialog(AppContext& context, const QStringList& files, QWidget* parent = nullptr);

    FileListEditor* fileList() const { return m_files; }
    RecipientPicker* recipients() const { return m_recipients; }
    EncryptOptions* options() const { return m_options; }
    FormatChooser* format() const { return m_format; }
    QPushButton* encryptButton() const { return m_encrypt; }
    JobProgressWidget* progressView() const { return m_progress; }
    JobRunner* runner() const { return m_runner; }
    bool isRunning() const;
    QString validationMessage() const;
    /// "NAME.coffer" next to the first input (or in the default output folder).
    static QString defaultOutputFor(const QString& firstInput, const QString& outputFolder);

public slots:
    void startEncryption();
    void reject() override;

private:
    void refreshOutput();
    void showValidation(const QString& text);
    void onFinished();
    void showProgressPage();
    /// Shows the progress page ("Encrypting …") and runs `work`.
    void runEncryption(JobRunner::Work work);
    void startAgeEncryption(); // EncryptDialogAge.cpp

    AppContext& m_context;
    QWidget* m_setup;
    FileListEditor* m_files;
    RecipientPicker* m_recipients;
    FormatChooser* m_format;
    EncryptOptions* m_options;
    NoticePanel* m_validation;
    QPushButton* m_encrypt;
    JobProgressWidget* m_progress;
    JobRunner* m_runner;
    bool m_closeWhenDone = false;
};

} // namespace coffer::ui
