// What the user is told when something fails: the cause in plain words, then
// what to do (like the CLI's "error:" + "hint:" lines), never a raw message
// alone.
#pragma once

#include "Result.h"

#include <QCoreApplication>
#include <QString>

namespace coffer::ui {

struct UserMessage {
    QString headline; // what happened
    QString advice;   // what to do next
    QString details;  // the precise message from app/ (which file, which limit)

    /// Headline, advice and details as one paragraph each.
    QString text() const;
};

class ErrorText {
    Q_DECLARE_TR_FUNCTIONS(ErrorText)

public:
    static UserMessage describe(const Error& error);
    /// For the keyring: a wrong passphrase reads differently from a container's.
    static UserMessage describeKeyringError(const Error& error);
};

} // namespace coffer::ui
