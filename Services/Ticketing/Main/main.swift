import TicketingService
import Runtime

await ServiceMain.run(TicketingService.definition)
