#include "raw_http_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace vwo::test {

raw_http_server::raw_http_server(script s) : script_(std::move(s))
{
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0)
        throw std::runtime_error("raw_http_server: socket() failed");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof address;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listen_fd_, 64) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        ::close(listen_fd_);
        throw std::runtime_error("raw_http_server: cannot listen on 127.0.0.1");
    }
    port_ = ntohs(address.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
}

raw_http_server::~raw_http_server()
{
    stopping_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR); // wakes accept()
    acceptor_.join();
    {
        std::lock_guard lock(mutex_);
        for (int fd : open_fds_)
            ::shutdown(fd, SHUT_RDWR); // wakes recv()/send() of every connection thread
    }
    for (auto& t : threads_)
        t.join();
    ::close(listen_fd_);
}

std::vector<std::string> raw_http_server::raw_requests() const
{
    std::lock_guard lock(mutex_);
    return raw_requests_;
}

void raw_http_server::accept_loop()
{
    while (!stopping_) {
        const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) {
            if (stopping_)
                return;
            continue;
        }
        ++connections_;
        std::lock_guard lock(mutex_);
        if (stopping_) {
            ::close(fd);
            return;
        }
        open_fds_.push_back(fd);
        threads_.emplace_back([this, fd] { serve(fd); });
    }
}

bool raw_http_server::write_all(int fd, const std::string& bytes)
{
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
        if (n <= 0)
            return false;
        done += static_cast<std::size_t>(n);
        bytes_written_ += static_cast<std::size_t>(n);
    }
    return true;
}

void raw_http_server::serve(int fd)
{
    std::string pending;
    char chunk[16 * 1024];
    bool open = true;
    const auto read_more = [&] { // false once the client closed (or the server is stopping)
        const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0)
            return false;
        pending.append(chunk, static_cast<std::size_t>(n));
        return true;
    };
    while (open && !stopping_) {
        // One request: the header section, then Content-Length bytes of body.
        std::size_t header_end;
        while ((header_end = pending.find("\r\n\r\n")) == std::string::npos && (open = read_more()))
            ;
        if (!open)
            break;
        std::size_t body_length = 0;
        std::string head = pending.substr(0, header_end);
        std::string lower = head;
        std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
        if (const auto at = lower.find("\r\ncontent-length:"); at != std::string::npos)
            body_length = std::strtoull(lower.c_str() + at + 17, nullptr, 10);
        const std::size_t total = header_end + 4 + body_length;
        while (pending.size() < total && (open = read_more()))
            ;
        if (!open)
            break;
        const std::string request = pending.substr(0, total);
        pending.erase(0, total);
        std::size_t index;
        {
            std::lock_guard lock(mutex_);
            raw_requests_.push_back(request);
            index = requests_++;
        }
        const raw_reply reply = script_(index, request);
        if (!write_all(fd, reply.bytes))
            break;
        if (!reply.repeat.empty()) {
            const std::size_t limit = reply.repeat_limit ? reply.repeat_limit : std::size_t(1) << 30;
            for (std::size_t sent = 0; sent < limit && !stopping_; sent += reply.repeat.size()) {
                if (reply.repeat_interval.count() > 0)
                    std::this_thread::sleep_for(reply.repeat_interval); // bounded: the destructor waits this long at most
                if (!write_all(fd, reply.repeat)) {
                    open = false;
                    break;
                }
            }
        }
        if (reply.close_after)
            break;
    }
    std::lock_guard lock(mutex_);
    open_fds_.erase(std::remove(open_fds_.begin(), open_fds_.end(), fd), open_fds_.end());
    ::close(fd);
}

std::size_t resident_bytes()
{
    std::ifstream statm("/proc/self/statm");
    std::size_t pages_total = 0, pages_resident = 0;
    statm >> pages_total >> pages_resident;
    return pages_resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

} // namespace vwo::test
