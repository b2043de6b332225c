// accept every recipient so the frontend never bounces
exports.hook_rcpt = function (next, connection, params) {
    connection.loginfo(this, 'accepting ' + params[0].address)
    next(OK)
}
