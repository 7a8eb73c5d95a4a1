import Runtime
import TicketingService

await ServiceMain.run(TicketingService.definition)
