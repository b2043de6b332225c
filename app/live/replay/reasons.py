"""Why replay changed each thing, in English and Chinese: the words of rewrite.py, sandbox.py and
plugins.py, kept apart from the report's words (words.py) so each table stays readable."""
from __future__ import annotations

REASONS: dict[str, dict[str, str]] = {
    "en": {
        "v_newest": "newest in mxdoctor's knowledge base (none found in the config dir)",
        "v_range": "{where} says {range}: its newest release",
        "listen": "replay listens on a free loopback port only",
        "listen_unset": "(unset: all addresses, port 25)",
        "daemonize": "replay runs Haraka in the foreground and stops it",
        "daemon_pid_file": "no pid file outside the sandbox",
        "daemon_log_file": "the log is read from Haraka's output",
        "user": "Haraka runs as you, not as another user",
        "group": "Haraka runs as you, not as another group",
        "nodes": "one worker is enough for one transaction",
        "spool_dir": "the queue stays inside the sandbox",
        "level": "the plugins' info lines (RESOLVED, STORED...) must show",
        "format": "a log format mxdoctor reads",
        "tls_pair": "your private key stays where it is; a throw-away self-signed pair is used",
        "tls_none": "your private key stays where it is (openssl missing: no STARTTLS here)",
        "dhparam": "not needed for a local run",
        "dead_change": "{name} is not reached from here: a loopback port nobody listens on (dead on purpose)",
        "dead_backend": "{file} pointed at a loopback port nobody listens on: the plugin's connection fails as it "
                        "would with the backend down",
        "forward_change": "the forward host is replay's SMTP sink on loopback: it records what Haraka hands on",
        "forward_backend": "an SMTP sink started by replay; it accepts and records each message",
        "db_urls": "(your database URLs)",
        "wildduck_change": "the stand-in does not use them; pointed at a dead loopback port anyway",
        "wildduck_backend": "the wildduck stand-in stores nothing; the URLs point at a loopback port nobody listens on",
        "key_file": "(your key or certificate)",
        "key_kept": "private keys are not copied into the sandbox",
        "dns": "every lookup goes to a loopback port nobody answers on; any other connection beyond loopback is "
               "refused",
        "standin": "haraka-plugin-wildduck is not published on npm and needs MongoDB; mxdoctor's stand-in has the "
                   "same hooks and replies and stores nothing",
        "local": "your plugins/{name}.js",
        "bundled": "ships with this Haraka release",
        "renamed": " (Haraka loads it as {name})",
        "unknown": "not shipped with this Haraka release, not in plugins/, not a known npm package: Haraka would "
                   "refuse to start with it",
        "npm_failed": "npm install {package} failed ({why}): Haraka would refuse to start with it",
        "npm": "{package} from npm, installed next to Haraka (cached)",
    },
    "zh": {
        "v_newest": "mxdoctor 知识库中最新的版本（配置目录中没有找到版本信息）",
        "v_range": "{where} 写的是 {range}：取其中最新的版本",
        "listen": "replay 只在本机回环地址的一个空闲端口上监听",
        "listen_unset": "（未设置：所有地址，端口 25）",
        "daemonize": "replay 在前台运行 Haraka，并负责停止它",
        "daemon_pid_file": "不在沙箱之外写 pid 文件",
        "daemon_log_file": "日志从 Haraka 的输出中读取",
        "user": "Haraka 以你的身份运行，而不是切换到其他用户",
        "group": "Haraka 以你的身份运行，而不是切换到其他用户组",
        "nodes": "一个事务只需要一个工作进程",
        "spool_dir": "队列目录留在沙箱之内",
        "level": "插件的 info 级日志（RESOLVED、STORED 等）必须可见",
        "format": "使用 mxdoctor 能读取的日志格式",
        "tls_pair": "你的私钥留在原处；这里使用一次性的自签名证书",
        "tls_none": "你的私钥留在原处（缺少 openssl：此处不提供 STARTTLS）",
        "dhparam": "本地运行不需要",
        "dead_change": "这里不会连接 {name}：指向本机一个无人监听的端口（有意不可达）",
        "dead_backend": "{file} 指向本机一个无人监听的端口：插件的连接会像后端宕机时一样失败",
        "forward_change": "转发目标换成 replay 在本机启动的 SMTP 接收器：它记录 Haraka 交出的邮件",
        "forward_backend": "replay 启动的 SMTP 接收器；它接受并记录每一封邮件",
        "db_urls": "（你的数据库地址）",
        "wildduck_change": "替身不使用它们；仍指向本机一个不可达的端口",
        "wildduck_backend": "wildduck 替身不存储任何内容；这些地址指向本机一个无人监听的端口",
        "key_file": "（你的私钥或证书）",
        "key_kept": "私钥不会被复制到沙箱中",
        "dns": "所有 DNS 查询都发往本机一个无人应答的端口；任何通往本机以外的连接都会被拒绝",
        "standin": "haraka-plugin-wildduck 没有发布到 npm，且需要 MongoDB；mxdoctor 的替身注册相同的钩子、给出相同的应答，但不存储任何内容",
        "local": "你的 plugins/{name}.js",
        "bundled": "随此 Haraka 版本发布",
        "renamed": "（Haraka 以 {name} 的名字加载它）",
        "unknown": "既不随此 Haraka 版本发布，也不在 plugins/ 中，也不是已知的 npm 包：带着它 Haraka 无法启动",
        "npm_failed": "npm install {package} 失败（{why}）：带着它 Haraka 无法启动",
        "npm": "来自 npm 的 {package}，安装在 Haraka 旁边（已缓存）",
    },
}


def reason(lang: str, key: str, **slots: object) -> str:
    table = REASONS.get(lang) or REASONS["en"]
    return (table.get(key) or REASONS["en"][key]).format(**slots)
