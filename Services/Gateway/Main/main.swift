import Contracts
import Foundation
import GatewayService
import Runtime

exit(await ServiceMain.run(.gateway) { Gateway(settings: try GatewayConfiguration(environment: $0)) })
