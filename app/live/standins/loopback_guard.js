// mxdoctor replay: preloaded into the sandboxed Haraka (node --require), so nothing it does leaves
// this machine. Written for mxdoctor.
//   - a TCP/TLS connection to anything but loopback fails at once with ECONNREFUSED (and a line
//     saying so on stderr, which lands in Haraka's log);
//   - DNS queries go to MXD_GUARD_DNS (a loopback port nobody answers on), and dns.lookup
//     resolves only loopback names.
'use strict'

const net = require('net')
const dns = require('dns')

const DNS_SERVER = process.env.MXD_GUARD_DNS || '127.0.0.1:9'

function is_loopback(host) {
    if (host === undefined || host === null || host === '' || host === 'localhost') return true
    const h = String(host).replace(/^\[|\]$/g, '').toLowerCase()
    if (h === '::1' || h === 'localhost' || h.endsWith('.localhost')) return true
    const v4 = h.startsWith('::ffff:') ? h.slice(7) : h
    return net.isIPv4(v4) && v4.startsWith('127.')
}

function refused(what) {
    const err = new Error(`connect ECONNREFUSED ${what} (mxdoctor replay: only loopback is allowed)`)
    err.code = 'ECONNREFUSED'
    err.errno = -111
    err.syscall = 'connect'
    return err
}

function target_of(args) {
    let first = args[0]
    if (Array.isArray(first)) first = first[0]            // node's normalized [options, cb]
    if (first !== null && typeof first === 'object') {
        return first.path ? null : { host: first.host, port: first.port }
    }
    if (typeof first === 'string' && !/^\d+$/.test(first)) return null      // a unix socket path
    return { host: typeof args[1] === 'string' ? args[1] : undefined, port: first }
}

const original_connect = net.Socket.prototype.connect
net.Socket.prototype.connect = function (...args) {
    const target = target_of(args)
    if (target && !is_loopback(target.host)) {
        const what = `${target.host}:${target.port}`
        process.stderr.write(`[mxdoctor-replay] blocked a connection to ${what}\n`)
        const err = refused(what)
        process.nextTick(() => this.destroy(err))
        return this
    }
    return original_connect.apply(this, args)
}

for (const api of [dns, dns.promises]) {
    try { api.setServers([DNS_SERVER]) } catch (e) { process.stderr.write(`[mxdoctor-replay] ${e.message}\n`) }
}

function not_found(hostname) {
    const err = new Error(`getaddrinfo ENOTFOUND ${hostname} (mxdoctor replay: no DNS outside loopback)`)
    err.code = 'ENOTFOUND'
    err.hostname = hostname
    return err
}

const original_lookup = dns.lookup
dns.lookup = function (hostname, options, callback) {
    const cb = typeof options === 'function' ? options : callback
    if (!is_loopback(hostname) && !net.isIP(hostname)) {
        process.nextTick(() => cb(not_found(hostname)))
        return {}
    }
    return original_lookup.call(this, hostname, options, callback)
}
const original_plookup = dns.promises.lookup
dns.promises.lookup = function (hostname, options) {
    if (!is_loopback(hostname) && !net.isIP(hostname)) return Promise.reject(not_found(hostname))
    return original_plookup.call(this, hostname, options)
}
