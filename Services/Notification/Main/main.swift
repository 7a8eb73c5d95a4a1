import NotificationService
import Runtime

await ServiceMain.run(NotificationService.definition)
