// Shared helpers for the test suites: temporary folders that clean up after
// themselves, and small file utilities.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace coffer::test {

/// A fresh folder under $TMPDIR (or /tmp), removed with everything in it on destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return m_path; }
    std::filesystem::path operator/(const std::string& name) const { return m_path / name; }

private:
    std::filesystem::path m_path;
};

void writeFile(const std::filesystem::path& path, const std::string& content);
std::string readFile(const std::filesystem::path& path);
std::vector<std::uint8_t> readBytes(const std::filesystem::path& path);
void writeBytes(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes);

/// Every path under `root` (relative, sorted), folders marked with a trailing '/'.
std::vector<std::string> listTree(const std::filesystem::path& root);

/// Runs a shell command; returns its exit status and fills `output` with stdout+stderr.
int runCommand(const std::string& command, std::string* output = nullptr);

/// Quotes for /bin/sh.
std::string shellQuote(const std::string& s);

/// How far resident memory rose above its level before `work`, in MiB: the
/// peak (VmHWM) is reset first by writing 5 to clear_refs (Linux >= 4.0), so
/// what the test built before does not hide the peak of `work`.
double peakMiBDuring(const std::function<void()>& work);

/// Added to a memory bound under AddressSanitizer, where freed memory waits in
/// a 256 MiB quarantine and every block has redzones: the bounds say more
/// about ASan there than about the code.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr double kAsanSlackMiB = 512;
#else
inline constexpr double kAsanSlackMiB = 0;
#endif

} // namespace coffer::test
