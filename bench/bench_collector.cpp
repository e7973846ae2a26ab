// The project's own loopback test collector in a process of its own, so that a benchmark's CPU
// figures count only the SDK. Prints "port <n>" on stdout once listening, serves until stdin closes.
//
//   vwo_bench_collector [--threads N]

#include <local_collector.hpp>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

int main(int argc, char** argv)
{
    vwo::tools::collector_options options;
    for (int i = 1; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], "--threads") == 0)
            options.threads = static_cast<std::size_t>(std::stoul(argv[i + 1]));
    vwo::tools::local_collector collector(options);
    std::printf("port %u\n", static_cast<unsigned>(collector.port()));
    std::fflush(stdout);
    std::string line;
    while (std::getline(std::cin, line)) {
    }
    return 0;
}
