// A plain-words strength hint for a new passphrase: length and character
// classes only (no dictionary), so it is honest about what it measures.
#pragma once

#include <QCoreApplication>
#include <QString>
#include <QStringView>

namespace coffer::ui {

enum class Strength { TooShort, Weak, Fair, Good, Strong };

struct StrengthHint {
    Strength strength = Strength::TooShort;
    QString label; // "Weak"
    QString hint;  // what would make it better
    double bits = 0;
};

inline constexpr int kMinPassphraseLength = 8;

class PassphraseStrength {
    Q_DECLARE_TR_FUNCTIONS(PassphraseStrength)

public:
    /// Estimated bits: length x log2(size of the character classes used).
    static double estimateBits(QStringView text);
    static StrengthHint assess(QStringView text);
};

} // namespace coffer::ui
