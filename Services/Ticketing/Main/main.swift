import Contracts
import Foundation
import Runtime
import TicketingService

exit(await ServiceMain.run(.ticketing) { TicketingService.definition(try TicketingConfiguration(environment: $0)) })
