import Foundation
import GatewayService
import Runtime

exit(await ServiceMain.run(Gateway()))
