import Foundation
import Runtime
import TicketingService

exit(await ServiceMain.run(TicketingService.definition))
