// Passphrases and pasted secret keys from widgets into wiped memory.
//
// The compromise, stated once: while the user types, Qt holds the text in the
// widget (a QString we cannot wipe from outside). We take it the moment it is
// used, encode it straight into a SecureString (never a QByteArray), clear the
// widget, and overwrite the QString buffer we were handed. Nothing in ui/
// keeps a secret in a Qt type beyond that moment.
#pragma once

#include "SecureMemory.h"

#include <QStringView>

class QLineEdit;
class QPlainTextEdit;

namespace coffer::ui {

/// UTF-8 of `text`, written directly into wiped memory.
crypto::SecureString toSecureUtf8(QStringView text);
/// Takes the text out of a password field and clears it.
crypto::SecureString takeSecret(QLineEdit* edit);
/// Takes the text out of a text box (undo history off) and clears it.
crypto::SecureString takeSecret(QPlainTextEdit* edit);
/// Marks a field as one that holds a secret: password echo, no undo history, no drag in or out.
void makeSecretField(QLineEdit* edit);

} // namespace coffer::ui
