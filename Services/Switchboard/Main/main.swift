// The five services in one file, for the image: each is a symbolic link to it named
// `switchboard-<service>`, and the name it was started by says which one runs. The processes stay
// five, each with its own `ServiceMain`, exactly as the separate executables run them; the image
// carries one copy of the code they share instead of five.
import Contracts
import ConversationService
import Foundation
import GatewayService
import NotificationService
import PoolService
import Runtime
import TicketingService

let name = URL(fileURLWithPath: CommandLine.arguments.first ?? "").lastPathComponent
switch name {
case "switchboard-gateway":
    exit(await ServiceMain.run(.gateway) { Gateway(settings: try GatewayConfiguration(environment: $0)) })
case "switchboard-conversation":
    exit(await ServiceMain.run(ConversationService.definition))
case "switchboard-pool":
    exit(await ServiceMain.run(PoolService.definition))
case "switchboard-ticketing":
    exit(await ServiceMain.run(.ticketing) { TicketingService.definition(try TicketingConfiguration(environment: $0)) })
case "switchboard-notification":
    exit(await ServiceMain.run(NotificationService.definition))
default:
    FileHandle.standardError.write(
        Data(
            "\(name) is every Switchboard service in one file: run it as switchboard-gateway, -conversation, -pool, -ticketing or -notification (a link to it by that name)\n"
                .utf8))
    exit(64)
}
