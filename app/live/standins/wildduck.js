// mxdoctor replay: stand-in for haraka-plugin-wildduck, which is not published on npm and needs
// MongoDB and Redis. Written for mxdoctor (not a copy of the plugin).
//
// It registers the hooks the real plugin registers and answers as it does, so the user's hook
// order decides, as on the real server, whether it ever sees a recipient:
//   rcpt  -> a known user: logs "RESOLVED rcpt=<addr> user=<addr>[<id>]" and answers OK;
//            anyone else: DENY with the 550 5.1.1 no-such-user reply
//   queue -> logs "STORED rcpt=... user=...[id] result=stored" for each resolved user and
//            answers OK 'Message processed' -- also when it resolved nobody, as the real one does
// It stores nothing. Its users are the lines of config/mxdoctor_replay_users (replay writes the
// --rcpt addresses there).
'use strict'

const crypto = require('crypto')
const DSN = require('haraka-dsn')

exports.register = function () {
    this.register_hook('init_master', 'announce')
    this.register_hook('init_child', 'announce')
}

exports.announce = function (next) {
    this.loginfo('mxdoctor stand-in for haraka-plugin-wildduck: no database, users from config/mxdoctor_replay_users')
    next()
}

exports.known_users = function () {
    const listed = this.config.get('mxdoctor_replay_users', 'list') || []
    return new Set(listed.map((a) => String(a).trim().toLowerCase()).filter(Boolean))
}

// Haraka 2.x passes address-rfc2821 objects (address() is a method), 3.x @haraka/email-address
function address_of(rcpt) {
    return String(typeof rcpt.address === 'function' ? rcpt.address() : rcpt.address)
}

function user_id(address) {
    return crypto.createHash('sha1').update(address).digest('hex').slice(0, 24)
}

function targets_of(txn) {
    if (!txn.notes.wildduck_targets) txn.notes.wildduck_targets = { users: new Map() }
    return txn.notes.wildduck_targets
}

exports.hook_deny = function (next) {
    next()
}

exports.hook_max_data_exceeded = function (next) {
    next()
}

exports.hook_mail = function (next, connection) {
    targets_of(connection.transaction)
    next()
}

exports.hook_rcpt = function (next, connection, params) {
    const targets = targets_of(connection.transaction)
    const rcpt = params[0]
    const recipient = address_of(rcpt)
    const address = recipient.toLowerCase()
    if (!this.known_users().has(address)) {
        connection.loginfo(this, `No such user ${address}`)
        return next(DENY, DSN.no_such_user())
    }
    const id = user_id(address)
    connection.loginfo(this, `RESOLVED rcpt=${recipient} user=${address}[${id}]`)
    targets.users.set(id, { address, recipient })
    next(OK)
}

exports.hook_data_post = function (next) {
    next()
}

exports.hook_queue = function (next, connection) {
    const targets = targets_of(connection.transaction)
    for (const [id, user] of targets.users) {
        connection.loginfo(this, `STORED rcpt=${user.recipient} user=${user.address}[${id}] result=stored`)
    }
    next(OK, 'Message processed')
}
