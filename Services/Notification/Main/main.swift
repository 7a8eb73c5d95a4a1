import Foundation
import NotificationService
import Runtime

exit(await ServiceMain.run(NotificationService.definition))
