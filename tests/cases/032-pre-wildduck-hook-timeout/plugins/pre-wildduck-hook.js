exports.hook_rcpt = function (next, connection, params) {
    const rcpt = params[0];
    const address = rcpt.address;

    const dropPattern = /^foo.*@example\.com$/i;

    if (dropPattern.test(address)) {
       connection.loginfo(this, "Dropping message to: " + address);
       return;
    }

    return next();
};
