// trusted partners skip the remaining sender checks
exports.hook_mail = function (next, connection, params) {
    const from = params[0].address
    if (/@partner\.example$/i.test(from)) {
        connection.loginfo(this, 'whitelisted sender ' + from)
        return next(OK)
    }
    next()
}
