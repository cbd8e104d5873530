import NIOCore

/// Closes a connection on which nothing was read or written for the idle
/// timeout (an `IdleStateHandler` in front raises the event). This also ends
/// clients that stop reading their responses: their writes never complete.
final class IdleConnectionCloser: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
