import CCurl
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A libcurl easy handle with its error buffer, kept for reuse. Curl thread only.
private final class EasyHandle {
    let handle: UnsafeMutableRawPointer
    let errorBuffer: UnsafeMutablePointer<CChar>

    init?() {
        guard let handle = curl_easy_init() else { return nil }
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    var errorText: String {
        String(cString: errorBuffer).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }
}

/// A transfer on its way: what libcurl's callbacks fill in. Curl thread only.
private final class ActiveTransfer {
    let job: CurlEngine.Job
    let easy: EasyHandle
    var headerList: UnsafeMutablePointer<curl_slist>?
    var headers: [(name: String, value: String)] = []
    var body = Data()
    var tooLarge = false

    init(job: CurlEngine.Job, easy: EasyHandle) {
        self.job = job
        self.easy = easy
    }

    deinit { curl_slist_free_all(headerList) }

    /// One header line as libcurl delivers it; a status line starts a new
    /// header block (after `100 Continue`, or a proxy's `CONNECT` answer).
    /// Parsed as bytes: this runs for every header of every response.
    func receiveHeader(_ line: UnsafeRawBufferPointer) {
        func isSpace(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
                || byte == UInt8(ascii: "\n")
        }
        if line.starts(with: "HTTP/".utf8) {
            headers.removeAll(keepingCapacity: true)
            return
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0 else { return }
        var start = colon + 1
        var end = line.count
        while start < end, isSpace(line[start]) { start += 1 }
        while end > start, isSpace(line[end - 1]) { end -= 1 }
        let name = String(decoding: UnsafeRawBufferPointer(rebasing: line[..<colon]), as: UTF8.self)
        let value = String(decoding: UnsafeRawBufferPointer(rebasing: line[start..<end]), as: UTF8.self)
        headers.append((name: name, value: value))
    }

    /// Appends body bytes; false (which aborts the transfer) beyond the size cap.
    func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard body.count + bytes.count <= job.transfer.maximumResponseBytes else {
            tooLarge = true
            return false
        }
        body.append(contentsOf: bytes)
        return true
    }
}

/// The body of the engine's thread: starts transfers, drives them with
/// `curl_multi_perform` / `curl_multi_poll`, and completes them.
final class CurlLoop {
    private let engine: CurlEngine
    private let multi: UnsafeMutableRawPointer
    private var running: [UnsafeMutableRawPointer: ActiveTransfer] = [:]
    private var runningByID: [UInt64: UnsafeMutableRawPointer] = [:]
    private var idle: [EasyHandle] = []

    init(engine: CurlEngine, multi: UnsafeMutableRawPointer) {
        self.engine = engine
        self.multi = multi
    }

    func run() {
        while true {
            let intake = engine.intake(capacity: engine.maximumConcurrent - running.count)
            for id in intake.cancellations { finish(id: id, with: .cancelled) }
            if intake.stopping {
                stop(failing: intake.jobs)
                return
            }
            for job in intake.jobs { start(job) }
            var stillRunning: Int32 = 0
            _ = curl_multi_perform(multi, &stillRunning)
            // Finished transfers free slots: take waiting jobs before sleeping.
            if completeFinishedTransfers() > 0 { continue }
            _ = curl_multi_poll(multi, nil, 0, 1000, nil)
        }
    }

    private func start(_ job: CurlEngine.Job) {
        guard let easy = idle.popLast() ?? EasyHandle() else {
            job.continuation.resume(returning: .failure(Self.internalFailure(job.transfer, "curl_easy_init failed")))
            return
        }
        let transfer = ActiveTransfer(job: job, easy: easy)
        if let problem = configure(transfer) {
            recycle(easy)
            job.continuation.resume(returning: .failure(problem))
            return
        }
        let added = curl_multi_add_handle(multi, easy.handle)
        guard added == CURLM_OK else {
            recycle(easy)
            let reason = String(cString: curl_multi_strerror(added))
            job.continuation.resume(returning: .failure(Self.internalFailure(job.transfer, reason)))
            return
        }
        running[easy.handle] = transfer
        runningByID[job.id] = easy.handle
    }

    /// Sets every option of one transfer; a failure if libcurl refuses one.
    private func configure(_ transfer: ActiveTransfer) -> TransferFailure? {
        let request = transfer.job.transfer
        let handle = transfer.easy.handle
        curl_easy_reset(handle)
        transfer.easy.errorBuffer[0] = 0
        var failed: (String, CURLcode)?
        func check(_ option: String, _ code: CURLcode) {
            if code != CURLE_OK, failed == nil { failed = (option, code) }
        }
        check("URL", ccurl_easy_setopt_string(handle, CURLOPT_URL, request.url))
        check("PROTOCOLS_STR", ccurl_easy_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"))
        check("NOSIGNAL", ccurl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        check("ERRORBUFFER", ccurl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, transfer.easy.errorBuffer))
        // Every encoding libcurl can decode (gzip, deflate, br, zstd); bodies arrive decoded.
        check("ACCEPT_ENCODING", ccurl_easy_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, ""))
        check("HTTP_VERSION", ccurl_easy_setopt_long(handle, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS))
        // Verification is always on; there is deliberately no way to turn it off.
        check("SSL_VERIFYPEER", ccurl_easy_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1))
        check("SSL_VERIFYHOST", ccurl_easy_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2))
        if let caBundlePath = request.caBundlePath {
            check("CAINFO", ccurl_easy_setopt_string(handle, CURLOPT_CAINFO, caBundlePath))
        }
        check(
            "CONNECTTIMEOUT_MS",
            ccurl_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, max(1, request.connectTimeout.wholeMilliseconds)))
        check(
            "TIMEOUT_MS", ccurl_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, max(1, request.timeout.wholeMilliseconds)))
        check(
            "MAXFILESIZE_LARGE",
            ccurl_easy_setopt_off_t(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(request.maximumResponseBytes)))
        // Without it libcurl reads HTTPS_PROXY / NO_PROXY (and lower-case) from the environment.
        if let proxy = request.proxy {
            check("PROXY", ccurl_easy_setopt_string(handle, CURLOPT_PROXY, proxy))
        }
        // A redirect is a response; Microsoft's APIs do not redirect.
        check("FOLLOWLOCATION", ccurl_easy_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0))
        check("USERAGENT", ccurl_easy_setopt_string(handle, CURLOPT_USERAGENT, request.userAgent))
        check("TCP_KEEPALIVE", ccurl_easy_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1))

        let context = Unmanaged.passUnretained(transfer).toOpaque()
        check("HEADERDATA", ccurl_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, context))
        check(
            "HEADERFUNCTION",
            ccurl_easy_setopt_callback(handle, CURLOPT_HEADERFUNCTION) { data, size, count, context in
                let length = size * count
                guard let data, let context else { return length }
                let transfer = Unmanaged<ActiveTransfer>.fromOpaque(context).takeUnretainedValue()
                transfer.receiveHeader(UnsafeRawBufferPointer(start: data, count: length))
                return length
            })
        check("WRITEDATA", ccurl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, context))
        check(
            "WRITEFUNCTION",
            ccurl_easy_setopt_callback(handle, CURLOPT_WRITEFUNCTION) { data, size, count, context in
                let length = size * count
                guard let data, let context else { return length }
                let transfer = Unmanaged<ActiveTransfer>.fromOpaque(context).takeUnretainedValue()
                // Returning less than `length` makes libcurl abort with CURLE_WRITE_ERROR.
                return transfer.receiveBody(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
            })

        var list: UnsafeMutablePointer<curl_slist>?
        for line in request.headerLines {
            guard let appended = curl_slist_append(list, line) else {
                curl_slist_free_all(list)
                return Self.internalFailure(request, "curl_slist_append failed: out of memory")
            }
            list = appended
        }
        transfer.headerList = list
        check("HTTPHEADER", ccurl_easy_setopt_pointer(handle, CURLOPT_HTTPHEADER, list))

        switch (request.method, request.body) {
        case ("GET", nil):
            check("HTTPGET", ccurl_easy_setopt_long(handle, CURLOPT_HTTPGET, 1))
        case ("HEAD", nil):
            check("NOBODY", ccurl_easy_setopt_long(handle, CURLOPT_NOBODY, 1))
        case (_, let body?):
            check(
                "POSTFIELDSIZE_LARGE",
                ccurl_easy_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
            // COPYPOSTFIELDS copies `POSTFIELDSIZE` bytes, so binary bodies are fine.
            body.withUnsafeBytes { bytes in
                if let base = bytes.baseAddress, !bytes.isEmpty {
                    check(
                        "COPYPOSTFIELDS",
                        ccurl_easy_setopt_pointer(
                            handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: base)))
                } else {
                    check("COPYPOSTFIELDS", ccurl_easy_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, ""))
                }
            }
            if request.method != "POST" {
                check("CUSTOMREQUEST", ccurl_easy_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method))
            }
        case ("POST", nil), ("PUT", nil), ("PATCH", nil):
            // An empty body, sent with `Content-Length: 0` (Graph's actions want it).
            check("POSTFIELDSIZE_LARGE", ccurl_easy_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, 0))
            check("COPYPOSTFIELDS", ccurl_easy_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, ""))
            if request.method != "POST" {
                check("CUSTOMREQUEST", ccurl_easy_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method))
            }
        case (let method, nil):
            check("CUSTOMREQUEST", ccurl_easy_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method))
        }

        guard let (option, code) = failed else { return nil }
        let reason = String(cString: curl_easy_strerror(code))
        if option == "URL" {
            return TransferFailure(
                code: .invalidURL, message: "\(request.target): libcurl rejects the URL (\(reason)); check it",
                isTransient: false, neverReachedServer: true)
        }
        return Self.internalFailure(request, "libcurl refused CURLOPT_\(option): \(reason)")
    }

    /// Completes every transfer libcurl reports done; returns how many.
    private func completeFinishedTransfers() -> Int {
        var finished = 0
        var queued: Int32 = 0
        while let message = curl_multi_info_read(multi, &queued) {
            guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle else { continue }
            // Read before `finish` removes the handle, which invalidates the message.
            let code = ccurl_message_result(message)
            finished += 1
            guard let transfer = running[handle] else { continue }
            if code == CURLE_OK {
                var status = 0
                _ = ccurl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
                finish(
                    id: transfer.job.id,
                    with: .success(HTTPResponse(status: status, headers: transfer.headers, body: transfer.body)))
            } else {
                finish(id: transfer.job.id, with: .failure(failure(code, transfer)))
            }
        }
        return finished
    }

    private enum Completion {
        case success(HTTPResponse)
        case failure(TransferFailure)
        case cancelled
        case shutDown
    }

    /// Removes a running transfer and answers its caller; ignores ids that already finished.
    private func finish(id: UInt64, with completion: Completion) {
        guard let handle = runningByID.removeValue(forKey: id), let transfer = running.removeValue(forKey: handle)
        else { return }
        _ = curl_multi_remove_handle(multi, handle)
        recycle(transfer.easy)
        let target = transfer.job.transfer.target
        let result: Result<HTTPResponse, TransferFailure>
        switch completion {
        case .success(let response): result = .success(response)
        case .failure(let failure): result = .failure(failure)
        case .cancelled: result = .failure(.cancelled(target))
        case .shutDown: result = .failure(.shutDown(target))
        }
        transfer.job.continuation.resume(returning: result)
    }

    private func recycle(_ easy: EasyHandle) {
        if idle.count < engine.maximumConcurrent { idle.append(easy) }
    }

    private func stop(failing waiting: [CurlEngine.Job]) {
        for id in Array(runningByID.keys) { finish(id: id, with: .shutDown) }
        for job in waiting { job.continuation.resume(returning: .failure(.shutDown(job.transfer.target))) }
        idle.removeAll()
        let waiters = engine.markStopped()
        curl_multi_cleanup(multi)
        for waiter in waiters { waiter.resume() }
    }

    // MARK: Errors

    private func failure(_ code: CURLcode, _ transfer: ActiveTransfer) -> TransferFailure {
        let request = transfer.job.transfer
        let handle = transfer.easy.handle
        var requestSize = 0
        _ = ccurl_easy_getinfo_long(handle, CURLINFO_REQUEST_SIZE, &requestSize)
        var osErrno = 0
        _ = ccurl_easy_getinfo_long(handle, CURLINFO_OS_ERRNO, &osErrno)
        let detail =
            transfer.easy.errorText.isEmpty ? String(cString: curl_easy_strerror(code)) : transfer.easy.errorText
        let endpoint = request.endpoint
        let sent = requestSize > 0
        func make(_ code: HTTPError.Code, _ message: String, transient: Bool, neverReached: Bool) -> TransferFailure {
            TransferFailure(code: code, message: message, isTransient: transient, neverReachedServer: neverReached)
        }
        if transfer.tooLarge || code == CURLE_FILESIZE_EXCEEDED {
            return make(
                .responseTooLarge,
                "the response to \(request.target) is larger than maximumResponseBytes "
                    + "(\(request.maximumResponseBytes) bytes); request smaller pages or raise the limit",
                transient: false, neverReached: false)
        }
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST:
            return make(
                .connectionFailed,
                "could not resolve \(endpoint) (\(detail)); check the URL and DNS/proxy settings",
                transient: true, neverReached: true)
        case CURLE_COULDNT_RESOLVE_PROXY, CURLE_PROXY:
            return make(
                .connectionFailed,
                "could not reach \(endpoint) through the proxy (\(detail)); check HTTPS_PROXY / NO_PROXY or the proxy setting",
                transient: true, neverReached: true)
        case CURLE_COULDNT_CONNECT:
            var reason = osErrno != 0 ? String(cString: strerror(Int32(osErrno))).lowercased() : detail
            if let proxy = Self.proxy(for: request) { reason += "; through proxy \(proxy)" }
            return make(
                .connectionFailed,
                "could not connect to \(endpoint) (\(reason)); check the URL and network/proxy settings",
                transient: true, neverReached: true)
        case CURLE_OPERATION_TIMEDOUT where !sent:
            return make(
                .timedOut,
                "could not connect to \(endpoint) within \(request.connectTimeout.readable) (connectTimeout); "
                    + "check the network/proxy settings or try again later",
                transient: true, neverReached: true)
        case CURLE_OPERATION_TIMEDOUT:
            return make(
                .timedOut,
                "\(request.target) got no complete response within \(request.timeout.readable) (the total timeout); "
                    + "the service is slow: try again later or raise the timeout",
                transient: true, neverReached: false)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM,
            CURLE_SSL_CIPHER, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_CRL_BADFILE,
            CURLE_SSL_INVALIDCERTSTATUS, CURLE_USE_SSL_FAILED, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED,
            CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_SHUTDOWN_FAILED:
            return make(
                .tlsFailure,
                "TLS with \(endpoint) failed (\(detail)); check the URL's scheme and port, the CA bundle (caBundlePath), "
                    + "the system clock, and that no proxy intercepts TLS",
                transient: false, neverReached: true)
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return make(
                .invalidURL, "\(request.target) cannot be requested (\(detail)); check the URL",
                transient: false, neverReached: true)
        case CURLE_WEIRD_SERVER_REPLY:
            return make(
                .connectionFailed,
                "\(endpoint) did not answer \(request.target) in HTTP (\(detail)); check the URL and port",
                transient: false, neverReached: !sent)
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM:
            return make(
                .connectionFailed,
                "the connection to \(endpoint) broke during \(request.target) (\(detail)); "
                    + (sent ? "the server may have received the request" : "the request was not sent"),
                transient: true, neverReached: !sent)
        default:
            return Self.internalFailure(request, "libcurl error \(code.rawValue): \(detail)")
        }
    }

    /// The proxy libcurl uses for `request`, if any: the configured one, or one
    /// from the environment (which `NO_PROXY` may still bypass).
    private static func proxy(for request: PreparedTransfer) -> String? {
        if let proxy = request.proxy { return Redaction.url(proxy) }
        let scheme = request.url.lowercased().hasPrefix("https:") ? "https" : "http"
        // libcurl reads `http_proxy` only in lower case.
        let names =
            scheme == "https"
            ? ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"] : ["http_proxy", "all_proxy", "ALL_PROXY"]
        for name in names {
            if let value = ProcessInfo.processInfo.environment[name], !value.isEmpty {
                return "\(Redaction.url(value)) from \(name), unless NO_PROXY matches"
            }
        }
        return nil
    }

    private static func internalFailure(_ request: PreparedTransfer, _ detail: String) -> TransferFailure {
        TransferFailure(
            code: .internalError, message: "\(request.target) failed inside the HTTP layer (\(detail)); report this",
            isTransient: false, neverReachedServer: true)
    }
}
