#include "AsyncFileWriter.h"

#include "WriteBehind.h"

#include <algorithm>
#include <cstring>

namespace coffer {

namespace {
constexpr std::size_t kBufferSize = 1024 * 1024;
}

AsyncFileWriter::AsyncFileWriter(int fd, std::filesystem::path name)
    : m_sink(fd, std::move(name)), m_writer(std::make_unique<crypto::WriteBehind>(m_sink))
{
    for (auto& b : m_ring)
        b.bytes.resize(kBufferSize);
}

AsyncFileWriter::~AsyncFileWriter() = default;

Status AsyncFileWriter::post()
{
    Buffer& full = m_ring[m_current];
    full.ticket = m_writer->post(ByteView(full.bytes).first(full.used));
    m_current = (m_current + 1) % m_ring.size();
    Buffer& next = m_ring[m_current];
    COFFER_TRY(m_writer->waitFor(next.ticket)); // free again, or an earlier write failed
    next.used = 0;
    next.ticket = 0;
    return Status::success();
}

Status AsyncFileWriter::write(ByteView data)
{
    while (!data.empty()) {
        Buffer& b = m_ring[m_current];
        const std::size_t take = std::min(data.size(), kBufferSize - b.used);
        std::memcpy(b.bytes.data() + b.used, data.data(), take);
        b.used += take;
        data = data.subspan(take);
        if (b.used == kBufferSize)
            COFFER_TRY(post());
    }
    return Status::success();
}

Status AsyncFileWriter::finish()
{
    if (m_ring[m_current].used > 0)
        COFFER_TRY(post());
    return m_writer->flush();
}

} // namespace coffer
